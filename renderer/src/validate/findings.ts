/** What the validation gate reports: one finding per problem, located in a rendered file. */

export interface Finding {
  /** Repository-relative POSIX path of the rendered file. */
  file: string;
  /** 1-based line of the offending field when known, else of the document. */
  line: number;
  /** Rule id: a policy rule's id, or `schema` / `schema-missing` / `yaml` for what kubeconform and the parser find, `gitleaks` for a secret. */
  rule: string;
  message: string;
  hint?: string;
  /** The cluster whose rendering the finding is about. */
  cluster?: string;
}

/** Sorted by file, line, rule, message; duplicates (the same finding twice) removed. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return [...findings]
    .sort((a, b) => cmp(a.file, b.file) || a.line - b.line || cmp(a.rule, b.rule) || cmp(a.message, b.message))
    .filter((f) => {
      const key = `${f.file}\0${f.line}\0${f.rule}\0${f.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
