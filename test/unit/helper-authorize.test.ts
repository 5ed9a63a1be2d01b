import { chmod, chown, mkdir, mkdtemp, readdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParsedJobRequest } from '../../src/main/core/jobs/request';
import { authorizeHelperJob, type AuthorizeContext } from '../../src/main/helper/authorize';
import { invokingUid } from '../../src/main/helper/invoker';
import { KintsugiError } from '../../src/shared/errors';
import { asNobody, asRoot, NOBODY, refusal as refusalOf } from '../helpers/authorize-cases';
import { handWrittenBackup } from '../helpers/hand-written-backup';

// The helper's authorizer table on plain inputs: temp files and folders (this suite runs as root, so it can give
// them any owner), never a device. Every case here is refused before a device would be looked at; the real
// helper process on loop devices is test/integration/helper-authorize.test.ts.

let dir: string;
let backup: string; // a hand-written "verified backup", owned by root, in a root-owned folder

const refusal = (job: unknown, ctx: AuthorizeContext = asRoot) => refusalOf(job, ctx);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kintsugi-authorize-'));
  backup = await handWrittenBackup(join(dir, 'root-backups'), 'kintsugi-backup-2026-01-01T00-00-00Z');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('authorizeHelperJob', () => {
  it('refuses a restore into a directory, even from a valid backup, and creates nothing', async () => {
    const into = join(dir, 'new-folder');
    const r = await refusal({
      type: 'restore',
      params: { backupDir: backup, target: into, includeLoop: true },
    });
    expect(r).toMatchObject({ code: 'DRIVE_NOT_FOUND', detail: `${into} does not exist` });
    const existing = join(dir, 'existing-folder');
    await mkdir(existing);
    expect(
      await refusal({ type: 'restore', params: { backupDir: backup, target: existing, includeLoop: true } }),
    ).toEqual({
      code: 'DRIVE_NOT_WHOLE_DISK',
      detail: `restore target ${existing} is a directory: the privileged helper works on whole drives only`,
      hint: expect.stringContaining('sudo kintsugi backup|restore'),
    });
    expect(await readdir(existing)).toEqual([]);
    await expect(readdir(into)).rejects.toThrow(/ENOENT/);
  });

  it('refuses a regular file or a directory as the backup source', async () => {
    const dest = join(dir, 'dest-root');
    await mkdir(dest);
    const image = join(dir, 'disk.img');
    await writeFile(image, Buffer.alloc(4096));
    expect(
      await refusal({ type: 'backup', params: { source: image, destRoot: dest, includeLoop: true } }),
    ).toEqual({
      code: 'DRIVE_NOT_WHOLE_DISK',
      detail: `backup source ${image} is a regular file: the privileged helper works on whole drives only`,
      hint: expect.stringContaining('sudo kintsugi'),
    });
    expect(
      await refusal({ type: 'backup', params: { source: dir, destRoot: dest, includeLoop: true } }),
    ).toMatchObject({ code: 'DRIVE_NOT_WHOLE_DISK', detail: expect.stringContaining('is a directory') });
    // A symlink to the file is judged by what it points at.
    await symlink(image, join(dir, 'disk-link'));
    expect(
      await refusal({
        type: 'backup',
        params: { source: join(dir, 'disk-link'), destRoot: dest, includeLoop: true },
      }),
    ).toMatchObject({ code: 'DRIVE_NOT_WHOLE_DISK', detail: expect.stringContaining('is a regular file') });
    expect(await readdir(dest)).toEqual([]);
  });

  it('refuses job types it has no authorizer for: find-persistence, image-check, anything unknown', async () => {
    for (const job of [
      { type: 'find-persistence', params: { container: join(dir, 'disk.img'), includeLoop: true } },
      { type: 'image-check', params: { source: join(dir, 'disk.img') } },
      { type: 'rm-rf', params: { path: '/' } },
    ])
      expect(await refusal(job)).toMatchObject({
        code: 'INVALID_ARGUMENT',
        detail: `job type ${job.type} is not run by the privileged helper`,
      });
  });

  it('refuses to read, for a flash, an image or a .bmap the invoking user could not read', async () => {
    const secret = join(dir, 'secret.img');
    await writeFile(secret, 'root only');
    await chmod(secret, 0o600);
    const shared = join(dir, 'shared.img');
    await writeFile(shared, 'for everyone');
    await chmod(shared, 0o644);
    const flash = (image: string, bmap?: string) => ({
      type: 'flash',
      params: {
        image,
        device: '/dev/kintsugi-no-such-disk',
        includeLoop: true,
        verify: true,
        ...(bmap ? { bmap } : {}),
      },
    });
    expect(await refusal(flash(secret), asNobody)).toMatchObject({
      code: 'INVALID_ARGUMENT',
      detail: `image ${secret} belongs to uid 0 with mode 0600: you (uid ${NOBODY}) could not read it yourself, so the helper will not read it for you`,
    });
    expect(await refusal(flash(shared, secret), asNobody)).toMatchObject({
      code: 'INVALID_ARGUMENT',
      detail: expect.stringMatching(/^bmap .*secret\.img belongs to uid 0 with mode 0600/),
    });
    // Through a symlink the user owns: judged on the real file.
    await symlink(secret, join(dir, 'my-link.img'));
    expect(await refusal(flash(join(dir, 'my-link.img')), asNobody)).toMatchObject({
      detail: expect.stringContaining(`(${secret}) belongs to uid 0`),
    });
    // The owner may use it, and so may anyone when it is world-readable: the refusal then moves on to the device.
    await chown(secret, NOBODY, NOBODY);
    expect(await refusal(flash(secret), asNobody)).toMatchObject({ code: 'DRIVE_NOT_FOUND' });
    expect(await refusal(flash(shared), asNobody)).toMatchObject({ code: 'DRIVE_NOT_FOUND' });
  });

  it('refuses a backup destination the invoking user does not own, or that is not a directory', async () => {
    const rootOwned = join(dir, 'root-dest');
    await mkdir(rootOwned);
    const backupTo = (destRoot: string) => ({
      type: 'backup',
      params: { source: '/dev/kintsugi-no-such-disk', destRoot, includeLoop: true },
    });
    expect(await refusal(backupTo(rootOwned), asNobody)).toMatchObject({
      code: 'INVALID_ARGUMENT',
      detail: `backup destination ${rootOwned} belongs to uid 0, not to you (uid ${NOBODY})`,
    });
    expect(await refusal(backupTo(join(dir, 'disk.img')), asNobody)).toMatchObject({
      detail: expect.stringContaining('is not a directory'),
    });
    expect(await refusal(backupTo(join(dir, 'nowhere')), asNobody)).toMatchObject({
      detail: expect.stringContaining('does not exist'),
    });
    // Owned by the user: accepted, and the refusal moves on to the source.
    await chown(rootOwned, NOBODY, NOBODY);
    expect(await refusal(backupTo(rootOwned), asNobody)).toMatchObject({ code: 'DRIVE_NOT_FOUND' });
  });

  it('restores only a verified backup the invoking user owns or keeps in a folder of their own', async () => {
    const restoreFrom = (backupDir: string, ctx = asRoot) =>
      refusal(
        { type: 'restore', params: { backupDir, target: '/dev/kintsugi-no-such-disk', includeLoop: true } },
        ctx,
      );
    // Control: the hand-written backup passes the backup rules as root, so the refusal is about the device.
    expect(await restoreFrom(backup)).toMatchObject({ code: 'DRIVE_NOT_FOUND' });

    const noManifest = join(dir, 'root-backups', 'kintsugi-backup-no-manifest');
    await mkdir(noManifest);
    expect(await restoreFrom(noManifest)).toMatchObject({
      code: 'BACKUP_NOT_FOUND',
      detail: `${noManifest} is not a verified Kintsugi backup (no manifest naming this folder)`,
    });
    const unverified = await handWrittenBackup(
      join(dir, 'root-backups'),
      'kintsugi-backup-unverified',
      false,
    );
    expect(await restoreFrom(unverified)).toMatchObject({
      code: 'BACKUP_NOT_FOUND',
      detail: expect.stringContaining('(never verified)'),
    });
    // A manifest naming another folder (a renamed or copied backup).
    const renamed = join(dir, 'root-backups', 'renamed');
    await rename(await handWrittenBackup(join(dir, 'root-backups'), 'kintsugi-backup-original'), renamed);
    expect(await restoreFrom(renamed)).toMatchObject({ code: 'BACKUP_NOT_FOUND' });
    // The folder holding backups is not a backup.
    expect(await restoreFrom(join(dir, 'root-backups'))).toMatchObject({ code: 'BACKUP_NOT_FOUND' });

    // Root's backup in root's folder is not nobody's.
    expect(await restoreFrom(backup, asNobody)).toMatchObject({
      code: 'INVALID_ARGUMENT',
      detail: `backup ${backup} belongs to uid 0, in a folder of uid 0: neither is you (uid ${NOBODY})`,
    });
    // What the helper's own backup looks like: owned by the store's owner (root) in the user's destination.
    const mine = join(dir, 'nobody-backups');
    await mkdir(mine);
    await chown(mine, NOBODY, NOBODY);
    const made = await handWrittenBackup(mine, 'kintsugi-backup-2026-02-02T00-00-00Z');
    expect(await restoreFrom(made, asNobody)).toMatchObject({ code: 'DRIVE_NOT_FOUND' });
  });
});

describe('invokingUid', () => {
  it('is PKEXEC_UID under pkexec, the own uid otherwise, and refuses a garbled PKEXEC_UID', () => {
    expect(invokingUid({ PKEXEC_UID: '1000' }, 0)).toBe(1000);
    expect(invokingUid({}, 0)).toBe(0);
    expect(invokingUid({}, 1000)).toBe(1000);
    for (const bad of ['', 'root', '-1', '0x10', '1000 ', '99999999999'])
      expect(() => invokingUid({ PKEXEC_UID: bad }, 0)).toThrow(KintsugiError);
  });

  it('checks a backup of the user, verified or not, and nothing that is not a backup of theirs', async () => {
    const check = (backupDir: string, ctx = asRoot) =>
      authorizeHelperJob({ type: 'backup-check', params: { backupDir } } as ParsedJobRequest, ctx);
    const refused = async (backupDir: string, ctx = asRoot) => {
      const err = await check(backupDir, ctx).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(KintsugiError);
      return { code: (err as KintsugiError).code, detail: (err as KintsugiError).detail ?? '' };
    };
    const parent = join(dir, 'check-backups');
    const ok = await handWrittenBackup(parent, 'kintsugi-backup-2026-03-03T00-00-00Z');
    // Through a symlink: what runs is the real folder.
    await symlink(ok, join(dir, 'check-link'));
    expect(await check(join(dir, 'check-link'))).toEqual({ type: 'backup-check', params: { backupDir: ok } });
    // Unlike a restore, an unverified backup may be checked (the check says what is wrong with it).
    const unverified = await handWrittenBackup(parent, 'kintsugi-backup-check-unverified', false);
    expect((await check(unverified)).params).toEqual({ backupDir: unverified });
    // No manifest naming the folder, the folder holding backups, someone else's backup: refused.
    const plain = join(parent, 'not-a-backup');
    await mkdir(plain);
    expect(await refused(plain)).toEqual({
      code: 'BACKUP_NOT_FOUND',
      detail: `${plain} is not a Kintsugi backup (no manifest naming this folder)`,
    });
    expect(await refused(parent)).toMatchObject({ code: 'BACKUP_NOT_FOUND' });
    expect(await refused(ok, asNobody)).toMatchObject({
      code: 'INVALID_ARGUMENT',
      detail: expect.stringContaining(`neither is you (uid ${NOBODY})`),
    });
  });
});
