/**
 * Stage 4, parse: templated YAML text → Kubernetes objects, each remembering where it came from.
 */
import { parseAllDocuments } from 'yaml';
import type { Problem } from '../errors.js';
import type { TemplateJob } from './template.js';
import { fastParseAll } from './fastparse.js';
import type { KubeObject } from '../kube.js';

export interface RenderedObject {
  object: KubeObject;
  job: TemplateJob;
  templateFile: string;
}

/** The objects of one job's templated text, each remembering its job and template. */
export function parseText(text: string, job: TemplateJob, templateFile: string): { objects: RenderedObject[]; problems: Problem[] } {
  const objects: RenderedObject[] = [];
  const problems: Problem[] = [];
  // Performance (bench helper): the usual template output is read by fastparse.ts, which yields the library's
  // exact values or undefined; anything else (and every error message) comes from the library below.
  const fast = fastParseAll(text);
  if (fast) {
    for (const value of fast) if (value !== null) checkObject(value, job, templateFile, objects, problems);
    return { objects, problems };
  }
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      problems.push({
        file: templateFile,
        message: `template produced invalid YAML for cluster '${job.cluster}' (output line ${e.linePos?.[0].line ?? '?'}): ${e.message.split('\n')[0]}`,
        hint: 'insert every value with {{yaml …}} and keep the template indentation consistent',
      });
      continue;
    }
    const value = doc.toJS() as unknown;
    if (value === null || value === undefined) continue;
    checkObject(value, job, templateFile, objects, problems);
  }
  return { objects, problems };
}

function checkObject(value: unknown, job: TemplateJob, templateFile: string, objects: RenderedObject[], problems: Problem[]): void {
  const o = value as Partial<KubeObject>;
  if (typeof o !== 'object' || typeof o.apiVersion !== 'string' || typeof o.kind !== 'string' || typeof o.metadata?.name !== 'string') {
    problems.push({
      file: templateFile,
      message: `template produced a document without apiVersion, kind and metadata.name for cluster '${job.cluster}'`,
      hint: 'every document of a template must be one Kubernetes object',
    });
    return;
  }
  objects.push({ object: o as KubeObject, job, templateFile });
}
