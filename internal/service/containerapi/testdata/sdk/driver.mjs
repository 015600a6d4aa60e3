// Drives a wasmbox container API through @cloudflare/sandbox's own client
// classes (SandboxClient, HTTP transport). Usage:
//   node --import ./register.mjs driver.mjs BASE_URL
// Prints one JSON line per check: {"check", "ok", "detail"}.
import assert from 'node:assert/strict';
import { SandboxClient, CodeInterpreter, parseSSEStream, collectFile } from '@cloudflare/sandbox';

const [baseUrl] = process.argv.slice(2);
const client = new SandboxClient({ baseUrl, retryTimeoutMs: 1000 });

async function check(name, fn) {
  try {
    await fn();
    console.log(JSON.stringify({ check: name, ok: true }));
  } catch (err) {
    console.log(JSON.stringify({ check: name, ok: false, detail: String(err?.stack ?? err) }));
  }
}

// rejects runs fn and returns the error it throws, failing if it throws none.
async function rejects(fn) {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error, got none');
}

async function events(stream) {
  const out = [];
  for await (const ev of parseSSEStream(stream)) out.push(ev);
  return out;
}

const S = 'default';
const script = '/tmp/eval_script.py';

// The PythonRunner flow: write the script, run it, a syntax error, a
// timeout, delete.
await check('runner/write', async () => {
  const res = await client.files.writeFile(script, "print('hello')\nprint(6 * 7)\n", S);
  assert.equal(res.success, true);
});
await check('runner/exec', async () => {
  const res = await client.commands.execute(`python3 ${script}`, S);
  assert.equal(res.exitCode, 0);
  assert.equal(res.success, true);
  assert.equal(res.stdout, 'hello\n42');
  assert.equal(res.stderr, '');
});
await check('runner/syntax-error', async () => {
  await client.files.writeFile(script, 'def f(:\n    pass\n', S);
  const res = await client.commands.execute(`python3 ${script}`, S);
  assert.equal(res.exitCode, 1);
  assert.equal(res.success, false);
  assert.match(res.stderr, /SyntaxError/);
});
await check('runner/timeout', async () => {
  await client.files.writeFile(script, 'while True:\n    pass\n', S);
  const err = await rejects(() => client.commands.execute(`python3 ${script}`, S, { timeoutMs: 1500 }));
  assert.equal(err.name, 'CommandError');
  assert.equal(err.code, 'COMMAND_EXECUTION_ERROR');
  assert.match(err.message, /Command timeout after 1500ms/);
});
await check('runner/delete', async () => {
  assert.equal((await client.files.deleteFile(script, S)).success, true);
  assert.equal((await client.files.exists(script, S)).exists, false);
});
await check('exec/stream', async () => {
  const evs = await events(await client.commands.executeStream('python3 -c "print(1)\nprint(2)"', S));
  assert.deepEqual(evs.map((e) => e.type), ['start', 'stdout', 'stdout', 'complete']);
  assert.equal(evs[1].data + evs[2].data, '1\n2\n');
  assert.equal(evs[3].exitCode, 0);
});
await check('exec/command-not-found', async () => {
  const res = await client.commands.execute('no-such-program --flag', S);
  assert.equal(res.exitCode, 127);
});
await check('exec/empty-command', async () => {
  const err = await rejects(() => client.commands.execute('   ', S));
  assert.equal(err.code, 'INVALID_COMMAND');
});

// Files.
const dir = '/workspace/proj';
await check('files/mkdir', async () => {
  assert.equal((await client.files.mkdir(`${dir}/sub`, S, { recursive: true })).success, true);
  const err = await rejects(() => client.files.mkdir(`${dir}/sub`, S));
  assert.equal(err.name, 'FileSystemError');
  const missing = await rejects(() => client.files.mkdir('/workspace/none/x', S));
  assert.equal(missing.code, 'FILESYSTEM_ERROR');
});
await check('files/utf8', async () => {
  await client.files.writeFile(`${dir}/a.txt`, 'héllo wörld\n', S);
  const res = await client.files.readFile(`${dir}/a.txt`, S);
  assert.equal(res.content, 'héllo wörld\n');
  assert.equal(res.encoding, 'utf-8');
  assert.equal(res.isBinary, false);
  assert.equal(res.size, Buffer.byteLength('héllo wörld\n'));
});
await check('files/base64', async () => {
  const bytes = Buffer.from([0, 1, 2, 0xfe, 0xff]);
  await client.files.writeFile(`${dir}/bin.dat`, bytes.toString('base64'), S, { encoding: 'base64' });
  const res = await client.files.readFile(`${dir}/bin.dat`, S);
  assert.equal(res.encoding, 'base64');
  assert.equal(res.isBinary, true);
  assert.equal(res.content, bytes.toString('base64'));
  const asB64 = await client.files.readFile(`${dir}/a.txt`, S, { encoding: 'base64' });
  assert.equal(Buffer.from(asB64.content, 'base64').toString(), 'héllo wörld\n');
  const bad = await rejects(() => client.files.writeFile(`${dir}/x`, 'not base64!', S, { encoding: 'base64' }));
  assert.equal(bad.name, 'ValidationFailedError');
});
await check('files/stream', async () => {
  const { content, metadata } = await collectFile(await client.files.readFileStream(`${dir}/a.txt`, S));
  assert.equal(content, 'héllo wörld\n');
  assert.equal(metadata.isBinary, false);
});
await check('files/list', async () => {
  const res = await client.files.listFiles(dir, S);
  assert.deepEqual(res.files.map((f) => [f.name, f.type]), [['a.txt', 'file'], ['bin.dat', 'file'], ['sub', 'directory']]);
  assert.equal(res.count, 3);
  assert.equal(res.files[0].absolutePath, `${dir}/a.txt`);
  assert.equal(res.files[0].relativePath, 'a.txt');
  await client.files.writeFile(`${dir}/sub/deep.txt`, 'x', S);
  const all = await client.files.listFiles(dir, S, { recursive: true });
  assert.ok(all.files.some((f) => f.relativePath === 'sub/deep.txt'));
  const notDir = await rejects(() => client.files.listFiles(`${dir}/a.txt`, S));
  assert.equal(notDir.code, 'NOT_DIRECTORY');
});
await check('files/exists', async () => {
  assert.equal((await client.files.exists(`${dir}/a.txt`, S)).exists, true);
  assert.equal((await client.files.exists(`${dir}/nope`, S)).exists, false);
});
await check('files/rename', async () => {
  await client.files.renameFile(`${dir}/a.txt`, `${dir}/b.txt`, S);
  assert.equal((await client.files.exists(`${dir}/a.txt`, S)).exists, false);
  assert.equal((await client.files.readFile(`${dir}/b.txt`, S)).content, 'héllo wörld\n');
});
await check('files/move', async () => {
  await client.files.moveFile(`${dir}/b.txt`, `${dir}/sub`, S);
  assert.equal((await client.files.readFile(`${dir}/sub/b.txt`, S)).content, 'héllo wörld\n');
  const err = await rejects(() => client.files.moveFile(`${dir}/gone.txt`, `${dir}/x.txt`, S));
  assert.equal(err.name, 'FileNotFoundError');
});
await check('files/delete', async () => {
  await client.files.deleteFile(`${dir}/sub/b.txt`, S);
  const err = await rejects(() => client.files.deleteFile(`${dir}/sub`, S));
  assert.equal(err.code, 'IS_DIRECTORY');
});
await check('files/not-found', async () => {
  const err = await rejects(() => client.files.readFile(`${dir}/sub/b.txt`, S));
  assert.equal(err.name, 'FileNotFoundError');
  assert.equal(err.code, 'FILE_NOT_FOUND');
  assert.equal(err.httpStatus, 404);
});
await check('files/guest-sees-them', async () => {
  await client.files.writeFile('/workspace/data.txt', 'from the sdk', S);
  const res = await client.commands.execute('python3 -c "print(open(\'/workspace/data.txt\').read())"', S);
  assert.equal(res.stdout, 'from the sdk');
});

// Sessions: env and cwd.
await check('sessions/env', async () => {
  const res = await client.utils.createSession({ id: 's1', env: { GREETING: 'hi' }, cwd: '/workspace/s1' });
  assert.equal(res.success, true);
  const out = await client.commands.execute('python3 -c "import os; print(os.environ[\'GREETING\'])"', 's1');
  assert.equal(out.stdout, 'hi');
  const over = await client.commands.execute('python3 -c "import os; print(os.environ[\'GREETING\'])"', 's1', { env: { GREETING: 'yo' } });
  assert.equal(over.stdout, 'yo');
  const other = await client.commands.execute('python3 -c "import os; print(os.environ.get(\'GREETING\', \'unset\'))"', S);
  assert.equal(other.stdout, 'unset');
});
await check('sessions/cwd-files', async () => {
  await client.files.writeFile('rel.txt', 'relative', 's1');
  assert.equal((await client.files.exists('/workspace/s1/rel.txt', S)).exists, true);
});
await check('sessions/cwd-exec', async () => {
  assert.equal((await client.commands.execute('pwd', 's1')).stdout, '/workspace/s1');
  const py = await client.commands.execute('python3 -c "print(open(\'rel.txt\').read())"', 's1');
  assert.equal(py.stdout, 'relative');
  assert.equal((await client.commands.execute('pwd', 's1', { cwd: '/tmp' })).stdout, '/tmp');
});
await check('sessions/duplicate', async () => {
  const err = await rejects(() => client.utils.createSession({ id: 's1' }));
  assert.equal(err.name, 'SessionAlreadyExistsError');
});
await check('sessions/delete', async () => {
  assert.equal((await client.utils.deleteSession('s1')).success, true);
  const err = await rejects(() => client.utils.deleteSession('s1'));
  assert.equal(err.code, 'INTERNAL_ERROR');
});

// Processes: start, stream, logs, list, kill.
await check('processes/run', async () => {
  const started = await client.processes.startProcess(
    'python3 -c "import time\nfor i in range(3):\n    print(\'tick\', i, flush=True)\n    time.sleep(0.1)"', S, { processId: 'ticker' });
  assert.equal(started.processId, 'ticker');
  assert.equal(typeof started.pid, 'number');
  const evs = await events(await client.processes.streamProcessLogs('ticker'));
  assert.equal(evs[0].type, 'process_info');
  assert.equal(evs.filter((e) => e.type === 'stdout').map((e) => e.data).join(''), 'tick 0\ntick 1\ntick 2\n');
  const exit = evs[evs.length - 1];
  assert.equal(exit.type, 'exit');
  assert.equal(exit.exitCode, 0);
  const logs = await client.processes.getProcessLogs('ticker');
  assert.equal(logs.stdout, 'tick 0\ntick 1\ntick 2\n');
  const info = await client.processes.getProcess('ticker');
  assert.equal(info.process.status, 'completed');
  assert.equal(info.process.exitCode, 0);
  const list = await client.processes.listProcesses();
  assert.ok(list.processes.some((p) => p.id === 'ticker' && p.status === 'completed'));
});
await check('processes/kill', async () => {
  const started = await client.processes.startProcess('python3 -c "import time; time.sleep(60)"', S);
  assert.equal((await client.processes.killProcess(started.processId)).success, true);
  const info = await client.processes.getProcess(started.processId);
  assert.equal(info.process.status, 'killed');
  assert.equal((await client.processes.getProcessLogs(started.processId)).stderr, '');
  const again = await rejects(() => client.processes.killProcess(started.processId));
  assert.equal(again.name, 'CommandNotFoundError');
});
await check('processes/failed', async () => {
  const started = await client.processes.startProcess('python3 -c "import sys; print(\'bad\', file=sys.stderr); sys.exit(3)"', S);
  const evs = await events(await client.processes.streamProcessLogs(started.processId));
  assert.deepEqual(evs.filter((e) => e.type === 'stderr').map((e) => e.data), ['bad\n']);
  assert.equal(evs.at(-1).exitCode, 3);
  assert.equal((await client.processes.getProcess(started.processId)).process.status, 'failed');
});
await check('processes/kill-all', async () => {
  await client.processes.startProcess('python3 -c "import time; time.sleep(60)"', S);
  const res = await client.processes.killAllProcesses();
  assert.equal(res.cleanedCount, 1);
});
await check('processes/not-found', async () => {
  const err = await rejects(() => client.processes.getProcess('proc_none'));
  assert.equal(err.name, 'ProcessNotFoundError');
});

// Utilities and what wasmbox does not serve.
await check('utils/ping', async () => {
  assert.equal(await client.utils.ping(), 'pong');
  assert.ok((await client.utils.getCommands()).includes('python3'));
});

// Code contexts, through the SDK's CodeInterpreter over the client's
// InterpreterClient (what Sandbox.createCodeContext and runCode use).
const interp = new CodeInterpreter(client.interpreter);
let ctxA, ctxB;
await check('contexts/create', async () => {
  ctxA = await interp.createCodeContext();
  assert.equal(ctxA.language, 'python');
  assert.equal(ctxA.cwd, '/workspace');
  assert.match(ctxA.id, /^[0-9a-f-]{36}$/);
  ctxB = await interp.createCodeContext({ language: 'python', envVars: { GREETING: 'hi' } });
  assert.notEqual(ctxB.id, ctxA.id);
});
await check('contexts/state', async () => {
  const first = await interp.runCode('x = 41', { context: ctxA });
  assert.equal(first.error, undefined);
  assert.deepEqual(first.results, []);
  const seen = [];
  const second = await interp.runCode('x + 1', { context: ctxA, onResult: (r) => seen.push(r.text) });
  assert.equal(second.error, undefined);
  assert.equal(second.results.length, 1);
  assert.equal(second.results[0].text, '42');
  assert.deepEqual(second.results[0].formats(), ['text']);
  assert.deepEqual(seen, ['42']);
});
await check('contexts/stdout', async () => {
  const seen = [];
  const exec = await interp.runCode("import sys\nprint('hello')\nprint('oops', file=sys.stderr)", {
    context: ctxA, onStdout: (o) => seen.push(o.text),
  });
  assert.deepEqual(exec.logs.stdout, ['hello\n']);
  assert.deepEqual(exec.logs.stderr, ['oops\n']);
  assert.deepEqual(seen, ['hello\n']);
  assert.equal(exec.error, undefined);
});
await check('contexts/error', async () => {
  const seen = [];
  const exec = await interp.runCode('y = 2\n1/0', { context: ctxA, onError: (e) => seen.push(e.name) });
  assert.equal(exec.error.name, 'ZeroDivisionError');
  assert.equal(exec.error.message, 'division by zero');
  assert.ok(exec.error.traceback.some((l) => l.includes('ZeroDivisionError')), exec.error.traceback.join('\n'));
  assert.deepEqual(seen, ['ZeroDivisionError']);
  assert.deepEqual(exec.results, []);
});
await check('contexts/isolated', async () => {
  const inB = await interp.runCode('x', { context: ctxB });
  assert.equal(inB.error.name, 'NameError');
  const env = await interp.runCode("import os\nos.environ['GREETING']", { context: ctxB });
  assert.equal(env.results[0].text, "'hi'");
  const inA = await interp.runCode('x, y', { context: ctxA });
  assert.equal(inA.results[0].text, '(41, 2)');
});
await check('contexts/files', async () => {
  await interp.runCode("open('/workspace/from_ctx.txt', 'w').write('made in a context')", { context: ctxA });
  assert.equal((await client.files.readFile('/workspace/from_ctx.txt', S)).content, 'made in a context');
});
await check('contexts/list', async () => {
  const ids = (await interp.listCodeContexts()).map((c) => c.id);
  assert.ok(ids.includes(ctxA.id) && ids.includes(ctxB.id), ids.join(','));
});
await check('contexts/delete', async () => {
  await interp.deleteCodeContext(ctxB.id);
  const ids = (await interp.listCodeContexts()).map((c) => c.id);
  assert.ok(!ids.includes(ctxB.id));
  const err = await rejects(() => interp.runCode('1', { context: ctxB }));
  assert.equal(err.name, 'ContextNotFoundError');
  assert.equal(err.code, 'CONTEXT_NOT_FOUND');
  assert.equal(err.contextId, ctxB.id);
  const again = await rejects(() => interp.deleteCodeContext(ctxB.id));
  assert.equal(again.name, 'ContextNotFoundError');
});
await check('contexts/timeout', async () => {
  const errors = [];
  await client.interpreter.runCodeStream(ctxA.id, 'while True:\n    pass', undefined, { onError: (e) => errors.push(e) }, 1000);
  assert.equal(errors.length, 1);
  assert.equal(errors[0].name, 'TimeoutError');
  assert.match(errors[0].message, /timeout/);
  const lost = await rejects(() => interp.runCode('x', { context: ctxA }));
  assert.equal(lost.code, 'INTERNAL_ERROR');
  assert.match(lost.message, /delete and recreate the context/);
  await interp.deleteCodeContext(ctxA.id);
});
await check('contexts/javascript', async () => {
  const err = await rejects(() => interp.createCodeContext({ language: 'javascript' }));
  assert.equal(err.code, 'JAVASCRIPT_NOT_AVAILABLE');
  assert.equal(err.httpStatus, 501);
});
await check('unsupported/git', async () => {
  const err = await rejects(() => client.git.checkout('https://github.com/cloudflare/sandbox-sdk', S));
  assert.equal(err.name, 'GitError');
});
