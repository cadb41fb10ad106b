// The tools step's decisions: when it does nothing, when it rebuilds, and what it says without Go.
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultRepoRoot } from '../../src/paths.js';
import { ensureTools, pypiStampFor, readPins, schemasStampFor, toolsStampFor } from '../../src/tools/ensure.js';
import { goMissingMessage, parseGoVersion } from '../../src/tools/go.js';
import { cachePaths } from '../../src/tools/layout.js';
import { pythonMissingMessage } from '../../src/tools/pypi.js';
import { parsePins } from '../../src/tools/pins.js';
import { thrown } from '../thrown.js';

let root: string;
const noGo = { PATH: '/nonexistent' };

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'tools-'));
  mkdirSync(path.join(root, 'renderer'));
  cpSync(path.join(defaultRepoRoot, 'renderer', 'pins.json'), path.join(root, 'renderer', 'pins.json'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Writes stamps and stand-in binaries as a finished tools run would. */
async function provisioned(): Promise<void> {
  const pins = await readPins(root);
  mkdirSync(path.join(root, cachePaths.toolsBin), { recursive: true });
  mkdirSync(path.join(root, cachePaths.schemasDir), { recursive: true });
  for (const name of Object.keys(pins.tools)) {
    writeFileSync(path.join(root, cachePaths.tool(name)), '#!/bin/sh\n');
    chmodSync(path.join(root, cachePaths.tool(name)), 0o755);
  }
  writeFileSync(path.join(root, cachePaths.toolsStamp), JSON.stringify(toolsStampFor(pins)));
  for (const name of Object.keys(pins.pypiTools)) {
    mkdirSync(path.dirname(path.join(root, cachePaths.pypiTool(name))), { recursive: true });
    writeFileSync(path.join(root, cachePaths.pypiTool(name)), '#!/bin/sh\n');
  }
  writeFileSync(path.join(root, cachePaths.pypiStamp), JSON.stringify(pypiStampFor(pins)));
  writeFileSync(path.join(root, cachePaths.schemasStamp), JSON.stringify(schemasStampFor(pins)));
}

describe('ensureTools', () => {
  it('says what to install when Go is missing', async () => {
    await expect(ensureTools({ root, quiet: true, env: noGo, log: () => {} })).rejects.toThrow(goMissingMessage);
    expect(goMissingMessage).toBe('Go ≥1.22 is needed to build kubeconform, actionlint, helm and gitleaks: apt-get install golang-go or see https://go.dev/doc/install');
  });

  it('does nothing, and needs no Go, when the stamps match the pins', async () => {
    await provisioned();
    const lines: string[] = [];
    expect(await ensureTools({ root, env: noGo, log: (l) => lines.push(l) })).toEqual({ built: [], generated: false });
    expect(lines).toEqual([expect.stringMatching(/^tools: up to date \(github.com\/yannh\/kubeconform\/cmd\/kubeconform@v0\.7\.0, /)]);
  });

  it('is silent when fresh and quiet', async () => {
    await provisioned();
    const lines: string[] = [];
    await ensureTools({ root, quiet: true, env: noGo, log: (l) => lines.push(l) });
    expect(lines).toEqual([]);
  });

  it('rebuilds a tool whose pin changed', async () => {
    await provisioned();
    const pinsFile = path.join(root, 'renderer', 'pins.json');
    writeFileSync(pinsFile, readFileSync(pinsFile, 'utf8').replace('"v0.7.0"', '"v0.7.1"'));
    // No Go on PATH: reaching for it proves the step decided to rebuild.
    await expect(ensureTools({ root, quiet: true, env: noGo, log: () => {} })).rejects.toThrow(goMissingMessage);
  });

  it('regenerates when a binary was deleted', async () => {
    await provisioned();
    rmSync(path.join(root, cachePaths.tool('kubeconform')));
    await expect(ensureTools({ root, quiet: true, env: noGo, log: () => {} })).rejects.toThrow(goMissingMessage);
  });

  it('reinstalls a PyPI tool whose pin changed, and says what to install when Python is missing', async () => {
    await provisioned();
    const pinsFile = path.join(root, 'renderer', 'pins.json');
    writeFileSync(pinsFile, readFileSync(pinsFile, 'utf8').replace(/("zizmor": \{ "package": "zizmor", "version": ")[^"]+"/, '$11.0.0"'));
    await expect(ensureTools({ root, quiet: true, env: noGo, log: () => {} })).rejects.toThrow(pythonMissingMessage);
  });

  it('refuses a PyPI pin that is not an exact version', () => {
    const pins = JSON.parse(readFileSync(path.join(root, 'renderer', 'pins.json'), 'utf8'));
    pins.pypiTools.zizmor.version = '>=1.0';
    expect(thrown(() => parsePins(JSON.stringify(pins, null, 2)))).toMatch(
      /^renderer\/pins\.json:\d+:\d+: error: 'pypiTools\.zizmor\.version' has an invalid value ">=1\.0"\n {2}hint: write an exact version, e\.g\. "1\.32\.0" \(no range: pip would take the newest\)$/,
    );
  });

  it('refuses pins whose Kubernetes version and kubernetes source disagree', async () => {
    const pinsFile = path.join(root, 'renderer', 'pins.json');
    writeFileSync(pinsFile, readFileSync(pinsFile, 'utf8').replace(/"kubernetes": "[^"]+"/, '"kubernetes": "1.30.0"'));
    await expect(readPins(root)).rejects.toThrow(/^renderer\/pins.json: "kubernetes" is 1.30.0 but sources.kubernetes.version is v/);
  });
});

describe('parsePins', () => {
  const guide = 'see the other entries of renderer/pins.json: a Go module is { "module", "version": "v…" }, a PyPI tool { "package", "version" }';

  it('names the file, the line and the field of each missing tool, and says what to add', () => {
    const message = thrown(() => parsePins(JSON.stringify({ kubernetes: '1.36.3', tools: {}, sources: {} }, null, 2)));
    expect(message.split('\n').slice(0, 2)).toEqual(["renderer/pins.json:3:3: error: missing key 'tools.actionlint'", `  hint: add actionlint: …; ${guide}`]);
    for (const name of ['tools.kubeconform', 'tools.helm', 'tools.gitleaks', 'sources.kubernetes', 'sources.argocd']) expect(message).toContain(`missing key '${name}'`);
  });

  it('refuses a Kubernetes version that is not x.y.z, and a Go version without its v', () => {
    expect(thrown(() => parsePins(readFileSync(path.join(defaultRepoRoot, 'renderer/pins.json'), 'utf8').replace(/"kubernetes": "[^"]+"/, '"kubernetes": "latest"')))).toBe(
      `renderer/pins.json:3:17: error: 'kubernetes' has an invalid value "latest"\n  hint: write the Kubernetes version the clusters run without a leading v, e.g. "1.36.3"`,
    );
    expect(thrown(() => parsePins(readFileSync(path.join(defaultRepoRoot, 'renderer/pins.json'), 'utf8').replace('"v0.7.0"', '"0.7.0"')))).toMatch(
      /^renderer\/pins\.json:5:\d+: error: 'tools\.kubeconform\.version' has an invalid value "0\.7\.0"\n {2}hint: write a Go module version: "v" and the release, e\.g\. "v0\.7\.0"$/,
    );
  });

  it('names an unknown top-level key with the keys it allows, and a JSON syntax error with its line', () => {
    const text = readFileSync(path.join(defaultRepoRoot, 'renderer/pins.json'), 'utf8');
    expect(thrown(() => parsePins(text.replace('"sources"', '"source"')))).toContain("error: unknown key 'source'\n  hint: did you mean 'sources'?");
    expect(thrown(() => parsePins('{\n  "kubernetes": "1.36.3",\n}'))).toBe(
      `renderer/pins.json:3:1: error: not valid JSON (Expected double-quoted property name)\n  hint: ${guide}`,
    );
  });

  it('keeps every tool and module it names, beyond the required ones, and no $comment', () => {
    const pins = parsePins(readFileSync(path.join(defaultRepoRoot, 'renderer/pins.json'), 'utf8'));
    expect(Object.keys(pins.e2e)).not.toContain('$comment');
    expect(pins.e2e.kwok?.version).toMatch(/^v/);
    expect(pins.pypiTools.zizmor?.package).toBe('zizmor');
  });
});

describe('parseGoVersion', () => {
  it('reads major and minor from go env GOVERSION', () => {
    expect(parseGoVersion('go1.26.8\n')).toEqual([1, 26]);
    expect(parseGoVersion('go1.22rc1')).toEqual([1, 22]);
    expect(parseGoVersion('devel')).toBeUndefined();
  });
});
