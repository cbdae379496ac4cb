import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pidAlive, releaseLock, tryLock, writeFileAtomic } from './files.ts';

const fresh = () => mkdtempSync(join(tmpdir(), 'elsa-files-'));
// a pid that existed and is gone: a finished child's
const deadPid = () => spawnSync('true').pid as number;

describe('lock folders', () => {
  it('one holder at a time; released, the next takes it', () => {
    const lock = join(fresh(), 'x.lock');
    expect(tryLock(lock)).toBeNull();
    expect(readFileSync(join(lock, 'pid'), 'utf8')).toBe(String(process.pid));
    expect(tryLock(lock)).toBe(process.pid); // held by a live process (this one)
    releaseLock(lock);
    expect(existsSync(lock)).toBe(false);
    expect(tryLock(lock)).toBeNull();
  });

  it("a killed owner's lock is taken over, and no temporary folder is left", () => {
    const dir = fresh();
    const lock = join(dir, 'x.lock');
    mkdirSync(lock);
    const dead = deadPid();
    expect(pidAlive(dead)).toBe(false);
    writeFileSync(join(lock, 'pid'), String(dead));
    expect(tryLock(lock)).toBe(0); // moved aside: try again
    expect(tryLock(lock)).toBeNull();
    expect(readdirSync(dir)).toEqual(['x.lock']);
  });

  it('a plain file in its place (an older lock format) is stale', () => {
    const lock = join(fresh(), 'x.lock');
    writeFileSync(lock, String(deadPid()));
    expect(tryLock(lock)).toBe(0);
    expect(tryLock(lock)).toBeNull();
  });

  it('releasing a lock another process holds leaves it alone', () => {
    const lock = join(fresh(), 'x.lock');
    mkdirSync(lock);
    writeFileSync(join(lock, 'pid'), '1');
    releaseLock(lock);
    expect(readFileSync(join(lock, 'pid'), 'utf8')).toBe('1');
  });
});

describe('writeFileAtomic', () => {
  it('replaces the whole file and leaves no temporary sibling', () => {
    const dir = fresh();
    const f = join(dir, 'sub', 'a.json');
    writeFileAtomic(f, 'one');
    writeFileAtomic(f, 'two');
    expect(readFileSync(f, 'utf8')).toBe('two');
    expect(readdirSync(join(dir, 'sub'))).toEqual(['a.json']);
  });
});
