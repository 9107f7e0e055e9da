"""A badly behaved MCP server over stdio (newline-delimited JSON-RPC), for
tests/suite/mcp_client.rs. Plain Python 3, no packages. The first argument picks how it
misbehaves:

  schemas   lists tools with a schema no validator compiles, one that breaks the
            providers' rules, a duplicate name and a name no provider takes, beside
            a good tool
  many      lists 10,000 tools, in pages of 1,000
  silent    never answers tools/call; appends each notifications/cancelled it
            receives to the file named by $CANCEL_LOG
  exit      exits in the middle of a tools/call
  changing  after a call of `grow`, adds a tool and sends tools/list_changed
"""

import json
import os
import sys

MODE = sys.argv[1] if len(sys.argv) > 1 else "schemas"
OBJECT = {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}


def tool(name, schema=None, **extra):
    return dict({"name": name, "description": f"The {name} tool.", "inputSchema": schema or OBJECT}, **extra)


grown = False


def tools():
    if MODE == "schemas":
        return [
            tool("good", annotations={"readOnlyHint": True}),
            tool("weird_type", {"type": "object", "properties": {"a": {"type": "text"}}}),
            tool("bad_required", {"type": "object", "properties": {}, "required": ["missing"]}),
            tool("good"),
            tool("not.portable"),
        ]
    if MODE == "many":
        return [tool(f"tool_{i}") for i in range(10_000)]
    names = ["echo", "grow"] + (["grown"] if grown else [])
    return [tool(name) for name in names]


def send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def reply(request, result):
    send({"jsonrpc": "2.0", "id": request["id"], "result": result})


def text(value):
    return {"content": [{"type": "text", "text": value}]}


for line in sys.stdin:
    try:
        message = json.loads(line)
    except ValueError:
        continue
    method = message.get("method")
    params = message.get("params") or {}
    if "id" not in message:
        if method == "notifications/cancelled" and os.environ.get("CANCEL_LOG"):
            with open(os.environ["CANCEL_LOG"], "a") as log:
                log.write(json.dumps(params) + "\n")
        continue
    if method == "initialize":
        reply(message, {
            "protocolVersion": params.get("protocolVersion", "2025-06-18"),
            "capabilities": {"tools": {"listChanged": True}},
            "serverInfo": {"name": f"bad-server-{MODE}", "version": "0"},
        })
    elif method == "ping":
        reply(message, {})
    elif method == "tools/list":
        everything = tools()
        start = int(params.get("cursor") or 0)
        page = everything[start:start + 1000]
        result = {"tools": page}
        if start + 1000 < len(everything):
            result["nextCursor"] = str(start + 1000)
        reply(message, result)
    elif method == "tools/call":
        name = params.get("name")
        if MODE == "silent":
            continue
        if MODE == "exit":
            sys.stdout.flush()
            os._exit(3)
        if name == "grow":
            grown = True
            reply(message, text("grown"))
            send({"jsonrpc": "2.0", "method": "notifications/tools/list_changed"})
        else:
            reply(message, text(json.dumps(params.get("arguments"))))
    else:
        send({"jsonrpc": "2.0", "id": message["id"], "error": {"code": -32601, "message": f"no method {method}"}})
