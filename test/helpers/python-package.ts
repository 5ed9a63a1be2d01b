import { execa } from 'execa';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

// A Python package built in the test, for pipx without PyPI (unreachable here and in CI). Its pyproject names an
// in-tree PEP 517 backend that writes the wheel with the standard library alone (`requires = []`), so pip builds
// it offline, with or without build isolation, and needs neither setuptools nor wheel. The sdist goes into a
// folder pip is pointed at with PIP_FIND_LINKS and PIP_NO_INDEX: `pipx install NAME` then runs exactly as the
// recipe runs it in production.

const BACKEND = `# PEP 517 backend using only the standard library.
import base64, hashlib, os, zipfile
NAME, DIST, VERSION, SCRIPT = %s
DI = f"{DIST}-{VERSION}.dist-info"
def get_requires_for_build_wheel(config_settings=None):
    return []
def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    files = {
        f"{DIST}.py": open(f"{DIST}.py", "rb").read(),
        f"{DI}/METADATA": f"Metadata-Version: 2.1\\nName: {NAME}\\nVersion: {VERSION}\\n".encode(),
        f"{DI}/WHEEL": b"Wheel-Version: 1.0\\nGenerator: kintsugi-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
        f"{DI}/entry_points.txt": f"[console_scripts]\\n{SCRIPT} = {DIST}:main\\n".encode(),
    }
    name = f"{DIST}-{VERSION}-py3-none-any.whl"
    record = []
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as z:
        for path, data in files.items():
            z.writestr(path, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{path},sha256={digest},{len(data)}")
        record.append(f"{DI}/RECORD,,")
        z.writestr(f"{DI}/RECORD", "\\n".join(record) + "\\n")
    return name
`;

/** Writes NAME-VERSION.tar.gz (console script SCRIPT printing "NAME VERSION" for --version) into DIR/dist. */
export async function buildPythonSdist(
  dir: string,
  p: { name: string; version: string; script: string; versionExit?: number },
): Promise<string> {
  const dist = p.name.replace(/-/g, '_');
  const top = `${dist}-${p.version}`;
  const src = join(dir, 'src', top);
  await mkdir(src, { recursive: true });
  await writeFile(
    join(src, 'pyproject.toml'),
    '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n',
  );
  await writeFile(
    join(src, 'backend.py'),
    BACKEND.replace('%s', JSON.stringify([p.name, dist, p.version, p.script]).slice(1, -1)),
  );
  await writeFile(
    join(src, `${dist}.py`),
    `import sys\ndef main():\n    if sys.argv[1:] == ["--version"]:\n        print("${p.name} ${p.version}")\n        sys.exit(${p.versionExit ?? 0})\n    print("hello from ${p.name}")\n`,
  );
  const out = join(dir, 'dist');
  await mkdir(out, { recursive: true });
  await execa('tar', ['-czf', join(out, `${top}.tar.gz`), '-C', join(dir, 'src'), top]);
  return out;
}
