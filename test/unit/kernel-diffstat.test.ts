import { describe, expect, it } from 'vitest';
import { diffstat } from '../../src/main/core/kernel/diffstat';

// The promote result's diffstat, on hand-written patches whose numbers git diff --stat would give.

const patch = (from: string, to: string, hunk: string) => `--- ${from}\n+++ ${to}\n${hunk}`;

describe('kernel diffstat', () => {
  it('counts the + and - lines inside hunks, and each file once', () => {
    const p =
      'From 1 Mon Sep 17 00:00:00 2001\nSubject: quote +not counted\n---\n drivers/a.c | 2 +-\n\n' +
      patch('a/drivers/a.c', 'b/drivers/a.c', '@@ -1,3 +1,3 @@\n ctx\n-old\n+new\n ctx\n') +
      // the same file again from a later series: still one file
      patch('a/drivers/a.c', 'b/drivers/a.c', '@@ -10,2 +10,3 @@\n ctx\n+added\n ctx\n') +
      patch('a/b.h', 'b/b.h', '@@ -1 +1,2 @@\n-x\n+y\n+z\n');
    // catches: counting commit-message lines (+not counted, ---), counting a file per section
    expect(diffstat(p)).toEqual({ files: 2, insertions: 4, deletions: 2 });
  });

  it('a new and a deleted file count under their real names; "\\ No newline" counts on neither side', () => {
    const p =
      patch('/dev/null', 'b/new.c', '@@ -0,0 +1,2 @@\n+a\n+b\n\\ No newline at end of file\n') +
      patch('a/gone.c', '/dev/null', '@@ -1,1 +0,0 @@\n-a\n');
    // catches: /dev/null taken as a file name, the backslash line counted
    expect(diffstat(p)).toEqual({ files: 2, insertions: 2, deletions: 1 });
  });

  it('a line starting with "--- " inside a hunk is a deletion, not a new file header', () => {
    const p = patch('a/doc.txt', 'b/doc.txt', '@@ -1,2 +1,1 @@\n--- a rule\n keep\n');
    // catches: parsing headers without tracking the hunk's remaining lines
    expect(diffstat(p)).toEqual({ files: 1, insertions: 0, deletions: 1 });
  });

  it('an empty patch is all zeros', () => {
    expect(diffstat('')).toEqual({ files: 0, insertions: 0, deletions: 0 });
  });
});
