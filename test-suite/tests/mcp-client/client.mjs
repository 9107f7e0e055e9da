// A third-party MCP client, the official TypeScript SDK, against our MCP server; run by
// tests/mcp_typescript.rs. It lists the tools, calls them well and badly, and prints one
// JSON document of what it saw (tool results as returned, failures as {code, message}).
//
//   node client.mjs stdio COMMAND [ARGS...]   spawns the server and talks on its stdio
//   node client.mjs http URL                   talks streamable HTTP to a running server

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CallToolResultSchema } from "@modelcontextprotocol/sdk/types.js";

// Larger than the limit the test gives the server (--max-request-bytes 65536).
const OVERSIZED = 100_000;
// No wait should come near this: every answer, even an error, is immediate.
const options = { timeout: 10_000 };

const [mode, target, ...args] = process.argv.slice(2);
const transport =
  mode === "stdio"
    ? new StdioClientTransport({ command: target, args, stderr: "inherit" })
    : new StreamableHTTPClientTransport(new URL(target));
const client = new Client({ name: "mcp-typescript-test", version: "1.0.0" });
await client.connect(transport);

async function outcome(promise) {
  try {
    return { result: await promise };
  } catch (error) {
    return { error: { code: error.code ?? null, message: error.message } };
  }
}

const call = (name, args) => outcome(client.callTool({ name, arguments: args }, undefined, options));

const report = {};
report.server = client.getServerVersion();
report.tools = (await client.listTools(undefined, options)).tools;
report.added = await call("add_task", { name: "Try the TypeScript SDK", priority: 1 });
report.wrongType = await call("add_task", { name: "Nap", priority: "high" });
report.unknown = await call("nope", {});
report.hidden = await call("delete_all_tasks", {});
// Not something callTool lets one write: arguments that are not an object.
report.notAnObject = await outcome(
  client.request(
    { method: "tools/call", params: { name: "add_task", arguments: "buy milk" } },
    CallToolResultSchema,
    options,
  ),
);
report.oversized = await call("add_task", { name: "x".repeat(OVERSIZED) });
report.after = await call("get_tasks", {});
await client.close();
console.log(JSON.stringify(report, null, 2));
