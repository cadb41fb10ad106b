import { describe, expect, it } from 'vitest';
import { isReleaseTag, parseVersions, setVersions } from '../../src/promote/versions.js';

const file = [
  '# yaml-language-server: $schema=../../renderer/schema/versions.schema.json',
  '# The deployable version (image tag) of every app in staging.',
  'agent-orchestrator: 2.4.1',
  'api-gateway: 1.8.3 # pinned until the auth change ships',
  'web-dashboard: "4.2.0"',
  '',
].join('\n');

describe('setVersions', () => {
  it('changes only the given lines and keeps the schema line, comments and order', () => {
    const out = setVersions(file, new Map([['api-gateway', '1.9.0']]));
    expect(out).toBe(file.replace('api-gateway: 1.8.3', 'api-gateway: 1.9.0'));
  });

  it('quotes a tag that YAML would otherwise read as a number', () => {
    const out = setVersions(file, new Map([['agent-orchestrator', '2.10']]));
    expect(out).toContain('agent-orchestrator: "2.10"\n');
    expect(parseVersions('v.yaml', out).get('agent-orchestrator')).toBe('2.10');
  });

  it('adds a new app where it sorts', () => {
    const out = setVersions(file, new Map([['planning-system', '1.0.0']]));
    expect(out.split('\n').slice(2, 6)).toEqual([
      'agent-orchestrator: 2.4.1',
      'api-gateway: 1.8.3 # pinned until the auth change ships',
      'planning-system: 1.0.0',
      'web-dashboard: "4.2.0"',
    ]);
  });
});

describe('parseVersions', () => {
  it('reads app → tag', () => {
    expect([...parseVersions('v.yaml', file)]).toEqual([
      ['agent-orchestrator', '2.4.1'],
      ['api-gateway', '1.8.3'],
      ['web-dashboard', '4.2.0'],
    ]);
  });

  it('points at a version that is not a string', () => {
    expect(() => parseVersions('overlays/staging/versions.yaml', 'api-gateway: 1.10\n')).toThrow(
      'overlays/staging/versions.yaml:1:14: error: the version of api-gateway must be an image tag string (got 1.1)\n  hint: quote it, e.g. api-gateway: "1.1"',
    );
  });
});

describe('isReleaseTag', () => {
  it.each(['1.4.0', 'v1.4.0', '1.4.0-rc.1', '10.20.30-alpha-2.beta'])('accepts %s', (tag) => expect(isReleaseTag(tag)).toBe(true));
  it.each(['latest', 'main', '1.4', '01.4.0', '1.4.0+build.5', 'sha-1a2b3c', 'v1.4.0-'])('refuses %s', (tag) => expect(isReleaseTag(tag)).toBe(false));
});
