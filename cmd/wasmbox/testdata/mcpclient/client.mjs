// An MCP client on the official TypeScript SDK, driven by
// cmd/wasmbox/mcp_test.go. It connects over one transport, walks through
// the wasmbox tools and prints what it saw as one JSON object on stdout;
// the Go test judges it.
//
//   node client.mjs stdio BINARY ARGS...
//   node client.mjs http URL [API_KEY]
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [kind, target, ...rest] = process.argv.slice(2);

function transport(key) {
  if (kind === "stdio") {
    return new StdioClientTransport({ command: target, args: rest, stderr: "inherit" });
  }
  const headers = key ? { Authorization: `Bearer ${key}` } : {};
  return new StreamableHTTPClientTransport(new URL(target), { requestInit: { headers } });
}

// outcome runs a promise and records its result or the error it threw.
async function outcome(p) {
  try {
    return { result: await p };
  } catch (e) {
    return { error: String(e && e.message ? e.message : e) };
  }
}

const seen = {};
if (kind === "http") {
  // A client with a wrong key cannot even shake hands.
  const denied = new Client({ name: "denied", version: "1" });
  seen.wrongKey = await outcome(denied.connect(transport("wrong-key")));
  await denied.close().catch(() => {});
}

const client = new Client({ name: "wasmbox-test", version: "1" });
await client.connect(transport(rest[0]));
seen.server = client.getServerVersion();
seen.capabilities = client.getServerCapabilities();
seen.instructions = client.getInstructions();
seen.tools = (await client.listTools()).tools;

const run = (args) => outcome(client.callTool({ name: "run_python", arguments: args }));
seen.output = await run({ code: "print(6 * 7)" });
seen.exitCode = await run({ code: "raise SystemExit(3)" });
seen.timeout = await run({ code: "while True: pass", timeout_seconds: 0.5 });
seen.rejected = await run({ code: "import socket" });
// Code contexts: state lasts across calls naming the same context.
seen.contexts = {
  set: await run({ code: "x = 41", context: "ts-a" }),
  next: await run({ code: "x + 1", context: "ts-a" }),
  other: await run({ code: "x", context: "ts-b" }),
  raised: await run({ code: "print('before')\n1/0", context: "ts-a" }),
  timeout: await run({ code: "while True: pass", context: "ts-a", timeout_seconds: 0.5 }),
  after: await run({ code: "x", context: "ts-a" }),
};
seen.check = await outcome(client.callTool({ name: "check_python", arguments: { code: "import os" } }));

const progress = [];
seen.testEval = await outcome(client.callTool(
  {
    name: "test_eval",
    arguments: {
      eval_code: "def evaluate(x):\n    return x * 2\n",
      test_cases: [
        { name: "one", input: 1, expected: 2 },
        { input: 2, expected: 5 },
        { args: [3], expected: 6 },
      ],
    },
  },
  undefined,
  { onprogress: (p) => progress.push(p) },
));
seen.progress = progress;

seen.badArgs = {
  noCode: await run({}),
  codeNotString: await run({ code: 7 }),
  unknownPolicy: await run({ code: "pass", policy: "lax" }),
  negativeTimeout: await run({ code: "pass", timeout_seconds: -1 }),
  badCases: await outcome(client.callTool({ name: "test_eval", arguments: { eval_code: "", test_cases: [{ expect: 1 }] } })),
  unknownTool: await outcome(client.callTool({ name: "run_ruby", arguments: {} })),
};

seen.concurrent = await Promise.all(
  Array.from({ length: 8 }, (_, i) => run({ code: `print(${i} * ${i})` })),
);

await client.close();
process.stdout.write(JSON.stringify(seen));
