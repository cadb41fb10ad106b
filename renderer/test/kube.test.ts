// The shared Kubernetes facts: one image-reference parser for the policy rules, the diff summary and Argo CD state.
import { describe, expect, it } from 'vitest';
import { imageText } from '../src/diff/summary.js';
import { imageVersion, parseImage, unpinnedTag } from '../src/kube.js';

describe('parseImage', () => {
  it.each([
    ['web', { repository: 'web' }],
    ['web:1.0', { repository: 'web', tag: '1.0' }],
    ['r.example:5000/a/b', { repository: 'r.example:5000/a/b' }],
    ['r.example:5000/a/b:1.0', { repository: 'r.example:5000/a/b', tag: '1.0' }],
    ['r.example:5000/a/b@sha256:ff', { repository: 'r.example:5000/a/b', digest: 'sha256:ff' }],
    ['r.example:5000/a/b:1.0@sha256:ff', { repository: 'r.example:5000/a/b', tag: '1.0', digest: 'sha256:ff' }],
  ])('splits %s', (ref, parts) => expect(parseImage(ref)).toEqual(parts));

  it.each([
    ['a/b:1.0', '1.0'],
    ['a/b:1.0@sha256:ff', '1.0@sha256:ff'],
    ['a/b@sha256:ff', 'sha256:ff'],
    ['a/b', '(no tag)'],
  ])('reads the version of %s as %s', (ref, version) => expect(imageVersion(parseImage(ref))).toBe(version));
});

describe('the diff summary of an image change', () => {
  it('shows a digest change as digests, not as a repository change', () => {
    expect(imageText({ container: 'web', from: 'r.example/web@sha256:aa', to: 'r.example/web@sha256:bb' })).toBe('web: sha256:aa → sha256:bb');
  });

  it('says a reference without a tag has no tag instead of calling it latest', () => {
    expect(imageText({ container: 'web', from: 'r.example:5000/web', to: 'r.example:5000/web:1.2' })).toBe('web: (no tag) → 1.2');
  });
});

describe('unpinnedTag, the one tag policy of the render and validate', () => {
  it.each([
    ['web:1.4.2', true, undefined],
    ['web:latest', true, 'latest'],
    ['web:latest', false, undefined],
    ['web', false, 'no tag'],
    ['web', true, 'no tag'],
    ['web@sha256:ff', true, undefined],
    ['web:latest@sha256:ff', true, undefined],
  ])('%s where pinnedVersions is %s: %s', (image, pinned, expected) => {
    expect(unpinnedTag(parseImage(image), pinned)).toBe(expected);
  });
});
