/**
 * The architecture as rules (ARCHITECTURE.md, STYLE.md 20): dependency-cruiser checks them over renderer/src in
 * `npm test` (renderer/test/architecture/dependencies.test.ts) and by hand with `npx depcruise renderer/src`.
 */
const src = '^renderer/src/';
/** Every folder that holds a command (its cli.ts or command.ts); the pipeline's own command is render/cli.ts. */
const commandFolders = '(cli|validate|diff|promote|bootstrap|tools|bench|e2e|schema|test-suite)';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'Each module sits above what it uses; a type both sides need goes down into a module both can import.',
      severity: 'error',
      from: { path: src },
      to: { circular: true },
    },
    {
      name: 'commands-only-from-the-list',
      comment: 'A command module is imported only by cli/commands.ts, the one list of commands; nothing else reaches one.',
      severity: 'error',
      from: { path: src, pathNot: `${src}cli/commands\\.ts$` },
      to: { path: `${src}[^/]+/(cli|command)\\.ts$`, pathNot: `${src}cli/command\\.ts$` },
    },
    {
      name: 'cli-is-only-the-framework',
      comment: 'cli/ is the command framework and the list; it imports no command folder except through that list.',
      severity: 'error',
      from: { path: `${src}cli/` },
      to: { path: src, pathNot: [`${src}cli/`, `${src}errors\\.ts$`, `${src}[^/]+/(cli|command)\\.ts$`] },
    },
    {
      name: 'stages-do-not-import-commands',
      comment: 'The render pipeline is a library under every command; no stage reaches into a command folder.',
      severity: 'error',
      from: { path: `${src}render/`, pathNot: `${src}render/cli\\.ts$` },
      to: { path: `${src}${commandFolders}/` },
    },
    {
      name: 'pipeline-touches-the-disk-only-through-fs',
      comment:
        'Only fs.ts touches the disk for the pipeline (RepoReader, CacheStore), so tests swap in memory. Named edges: ' +
        'write.ts is the write stage itself, fingerprint.ts reads the installed code the cache key covers, cli.ts is the command.',
      severity: 'error',
      from: { path: `${src}render/`, pathNot: `${src}render/(write|fingerprint|cli)\\.ts$` },
      to: { dependencyTypes: ['core'], path: '^(node:)?fs(/promises)?$' },
    },
    {
      name: 'nothing-imports-bench-or-e2e',
      comment: 'The benchmark and the end-to-end run sit on top; only the list of commands starts them.',
      severity: 'error',
      from: { path: src, pathNot: [`${src}(bench|e2e)/`, `${src}cli/commands\\.ts$`] },
      to: { path: `${src}(bench|e2e)/` },
    },
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.json' },
    // Type-only imports count: a cycle through types is still two modules that cannot be read apart.
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.d\\.ts$' },
  },
};
