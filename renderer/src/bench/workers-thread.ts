/**
 * A render worker's entry (bench/workers.ts starts it in a worker thread): compiles the templates it is handed
 * (a compiled template is a function and cannot cross threads), runs its jobs through the same renderJob as the
 * main thread, and sends back each job's result without the job, which the main thread reattaches, with the
 * moments it was ready, had compiled and had rendered.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { renderJob } from '../render/job.js';
import { compileTemplates } from '../render/template.js';
import { detach, epochMs, type WorkerInput, type WorkerReply } from './workers.js';

// Module code runs once the imports above are evaluated and workerData is cloned in: the worker is ready here.
const readyAt = epochMs();
const { templates, jobs } = workerData as WorkerInput;
const { compiled } = compileTemplates(templates);
const compiledAt = epochMs();
const results = jobs.map((job) => detach(renderJob(compiled.get(job.template), job)));
const reply: WorkerReply = { results, readyAt, compiledAt, renderedAt: epochMs() };
parentPort!.postMessage(reply);
