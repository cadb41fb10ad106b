/**
 * Stage 4, parse: templated YAML text → Kubernetes objects, each remembering where it came from.
 */
import { parseAllDocuments } from 'yaml';
import type { Problem } from './errors.js';
import type { RenderedText, TemplateJob } from './template.js';

export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
};

export interface RenderedObject {
  object: KubeObject;
  job: TemplateJob;
  templateFile: string;
}

export function parseTexts(texts: RenderedText[]): { objects: RenderedObject[]; problems: Problem[] } {
  const objects: RenderedObject[] = [];
  const problems: Problem[] = [];
  for (const { job, text, templateFile } of texts) {
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
      const o = value as Partial<KubeObject>;
      if (typeof o !== 'object' || typeof o.apiVersion !== 'string' || typeof o.kind !== 'string' || typeof o.metadata?.name !== 'string') {
        problems.push({ file: templateFile, message: `template produced a document without apiVersion, kind and metadata.name for cluster '${job.cluster}'`, hint: 'every document of a template must be one Kubernetes object' });
        continue;
      }
      objects.push({ object: o as KubeObject, job, templateFile });
    }
  }
  return { objects, problems };
}
