"""Programs written for OpenAI's Assistants API, run against the assistants server.

Usage: python client.py SCENARIO BASE_URL API_KEY

Each scenario is code as the Assistants tutorials wrote it (only base_url and api_key
changed), and prints one JSON object saying what it saw, for the Rust test to assert.
"""

import json
import sys
import time

import openai
from openai import AssistantEventHandler, OpenAI

WEATHER_TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "getCurrentWeather",
            "description": "Get the weather in location",
            "parameters": {
                "type": "object",
                "properties": {
                    "location": {"type": "string", "description": "The city and state e.g. San Francisco, CA"},
                    "unit": {"type": "string", "enum": ["c", "f"]},
                },
                "required": ["location"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "getNickname",
            "description": "Get the nickname of a city",
            "parameters": {
                "type": "object",
                "properties": {
                    "location": {"type": "string", "description": "The city and state e.g. San Francisco, CA"},
                },
                "required": ["location"],
            },
        },
    },
]


def weather_output(call):
    """What the tutorial's functions answer."""
    args = json.loads(call.function.arguments)
    if call.function.name == "getCurrentWeather":
        return json.dumps({"location": args["location"], "temperature": "72", "unit": args.get("unit", "f")})
    return "The Golden City"


def poll(client, thread_id, run_id, until):
    statuses = []
    for _ in range(400):
        run = client.beta.threads.runs.retrieve(thread_id=thread_id, run_id=run_id)
        if not statuses or statuses[-1] != run.status:
            statuses.append(run.status)
        if run.status in until:
            return run, statuses
        time.sleep(0.05)
    raise RuntimeError(f"the run stayed {run.status}")


def weather_assistant(client):
    return client.beta.assistants.create(
        name="Weather Bot",
        instructions="You are a weather bot. Use the provided functions to answer questions.",
        model="gpt-4-1106-preview",
        tools=WEATHER_TOOLS,
    )


def answer_of(client, thread_id):
    messages = client.beta.threads.messages.list(thread_id=thread_id)
    return [(m.role, m.content[0].text.value) for m in messages.data]


def weather(client):
    """The notebook: poll to requires_action, submit both outputs, poll to completed."""
    assistant = weather_assistant(client)
    thread = client.beta.threads.create()
    client.beta.threads.messages.create(
        thread_id=thread.id, role="user", content="What's the weather in San Francisco today and the likelihood it'll rain?"
    )
    run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    created = run.status
    run, statuses = poll(client, thread.id, run.id, {"requires_action", "failed", "completed"})
    calls = run.required_action.submit_tool_outputs.tool_calls
    outputs = [{"tool_call_id": call.id, "output": weather_output(call)} for call in calls]
    client.beta.threads.runs.submit_tool_outputs(thread_id=thread.id, run_id=run.id, tool_outputs=outputs)
    run, more = poll(client, thread.id, run.id, {"completed", "failed", "cancelled", "expired", "incomplete"})
    steps = client.beta.threads.runs.steps.list(thread_id=thread.id, run_id=run.id, order="asc")
    return {
        "ids": [assistant.id, thread.id, run.id],
        "created": created,
        "statuses": statuses + more,
        "calls": [[c.id, c.type, c.function.name, json.loads(c.function.arguments)] for c in calls],
        "messages": answer_of(client, thread.id),
        "usage": run.usage.model_dump() if run.usage else None,
        "model": run.model,
        "steps": [
            [s.type, s.status]
            + ([[t.function.name, t.function.output] for t in s.step_details.tool_calls] if s.type == "tool_calls" else [])
            for s in steps.data
        ],
    }


def weather_poll(client):
    """The same with the SDK's polling helpers."""
    assistant = weather_assistant(client)
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Weather in San Francisco?"}])
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=50)
    first = run.status
    calls = run.required_action.submit_tool_outputs.tool_calls
    run = client.beta.threads.runs.submit_tool_outputs_and_poll(
        thread_id=thread.id,
        run_id=run.id,
        tool_outputs=[{"tool_call_id": c.id, "output": weather_output(c)} for c in calls],
        poll_interval_ms=50,
    )
    return {"first": first, "last": run.status, "messages": answer_of(client, thread.id)}


class Handler(AssistantEventHandler):
    """The streaming tutorial's handler, answering requires_action with a nested stream."""

    def __init__(self, client, log):
        super().__init__()
        self.client = client
        self.log = log

    def on_event(self, event):
        self.log.append(["event", event.event])
        if event.event == "thread.run.requires_action":
            run_id = event.data.id
            outputs = [
                {"tool_call_id": c.id, "output": weather_output(c)}
                for c in event.data.required_action.submit_tool_outputs.tool_calls
            ]
            with self.client.beta.threads.runs.submit_tool_outputs_stream(
                thread_id=self.current_run.thread_id,
                run_id=run_id,
                tool_outputs=outputs,
                event_handler=Handler(self.client, self.log),
            ) as stream:
                stream.until_done()

    def on_text_delta(self, delta, snapshot):
        self.log.append(["text_delta", delta.value])

    def on_tool_call_created(self, tool_call):
        self.log.append(["tool_call_created", tool_call.id, tool_call.function.name, tool_call.function.arguments])

    def on_tool_call_delta(self, delta, snapshot):
        self.log.append(["tool_call_delta", delta.index, delta.function.arguments])

    def on_tool_call_done(self, tool_call):
        self.log.append(["tool_call_done", tool_call.function.name, tool_call.function.arguments])

    def on_message_done(self, message):
        self.log.append(["message_done", message.content[0].text.value])


def stream(client):
    assistant = weather_assistant(client)
    thread = client.beta.threads.create()
    client.beta.threads.messages.create(thread_id=thread.id, role="user", content="Weather in San Francisco?")
    log = []
    with client.beta.threads.runs.stream(
        thread_id=thread.id, assistant_id=assistant.id, event_handler=Handler(client, log)
    ) as s:
        s.until_done()
    runs = client.beta.threads.runs.list(thread_id=thread.id)
    return {"log": log, "status": runs.data[0].status, "messages": answer_of(client, thread.id)}


FETCH_TOOL = {
    "type": "function",
    "function": {
        "name": "fetch_url",
        "description": "Fetch the text of a web page",
        "parameters": {"type": "object", "properties": {"url": {"type": "string"}}, "required": ["url"]},
    },
}


def step_view(step):
    view = [step.type, step.status]
    if step.type == "tool_calls":
        view += [[t.id, t.function.name, t.function.arguments, t.function.output] for t in step.step_details.tool_calls]
    else:
        view.append(step.step_details.message_creation.message_id)
    return view


def callback(client):
    """The callback flow of one function, with the run's options; run steps afterwards."""
    assistant = client.beta.assistants.create(
        model="gpt-4o", instructions="Summarize web pages.", tools=[FETCH_TOOL]
    )
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "What does https://example.com say?"}])
    run = client.beta.threads.runs.create_and_poll(
        thread_id=thread.id,
        assistant_id=assistant.id,
        additional_instructions="Quote the page.",
        temperature=0.2,
        max_completion_tokens=300,
        tool_choice={"type": "function", "function": {"name": "fetch_url"}},
        parallel_tool_calls=False,
        metadata={"user": "ada"},
        poll_interval_ms=50,
    )
    waiting = run.status
    call = run.required_action.submit_tool_outputs.tool_calls[0]
    page = "Example Domain. This domain is for use in illustrative examples."  # the fetch, stubbed
    run = client.beta.threads.runs.submit_tool_outputs_and_poll(
        thread_id=thread.id, run_id=run.id, tool_outputs=[{"tool_call_id": call.id, "output": page}], poll_interval_ms=50
    )
    steps = client.beta.threads.runs.steps.list(thread_id=thread.id, run_id=run.id, order="asc")
    first = client.beta.threads.runs.steps.retrieve(thread_id=thread.id, run_id=run.id, step_id=steps.data[0].id)
    newest = client.beta.threads.runs.steps.list(thread_id=thread.id, run_id=run.id, limit=1)
    by_run = client.beta.threads.messages.list(thread_id=thread.id, run_id=run.id)
    message = by_run.data[0]
    modified = client.beta.threads.runs.update(thread_id=thread.id, run_id=run.id, metadata={"user": "ada", "seen": "yes"})
    return {
        "waiting": waiting,
        "status": run.status,
        "call": [call.function.name, json.loads(call.function.arguments)],
        "options": [run.temperature, run.max_completion_tokens, run.tool_choice.model_dump(), run.parallel_tool_calls, run.metadata],
        "instructions": run.instructions,
        "steps": [step_view(s) for s in steps.data],
        "retrieved": first.id == steps.data[0].id and step_view(first) == step_view(steps.data[0]),
        "newest": [newest.data[0].type, newest.has_more],
        "message": [message.id == steps.data[1].step_details.message_creation.message_id, message.role, message.content[0].text.value, message.run_id == run.id, message.assistant_id == assistant.id],
        "by_run": len(by_run.data),
        "metadata": modified.metadata,
    }


def cancel(client):
    """Cancel a run while the model works, and one waiting for outputs; an ended one refuses."""
    assistant = weather_assistant(client)
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Weather in San Francisco?"}])
    run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    poll(client, thread.id, run.id, {"in_progress"})
    first = client.beta.threads.runs.cancel(thread_id=thread.id, run_id=run.id).status
    run, statuses = poll(client, thread.id, run.id, {"cancelled", "failed", "completed"})
    second = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=50)
    waiting = second.status
    cancelled = client.beta.threads.runs.cancel(thread_id=thread.id, run_id=second.id)
    try:
        client.beta.threads.runs.cancel(thread_id=thread.id, run_id=second.id)
        refused = None
    except openai.BadRequestError as error:
        refused = [error.status_code, error.body]
    steps = client.beta.threads.runs.steps.list(thread_id=thread.id, run_id=second.id)
    return {
        "first": first,
        "final": run.status,
        "cancelled_at": run.cancelled_at is not None,
        "waiting": waiting,
        "second": [cancelled.status, cancelled.required_action],
        "refused": refused,
        "steps": [[s.type, s.status, [t.function.output for t in s.step_details.tool_calls]] for s in steps.data],
        "messages": answer_of(client, thread.id),
    }


def turn_limit(client):
    """A server tool the model keeps calling: the run ends incomplete at the turn limit."""
    assistant = client.beta.assistants.create(model="gpt-4o", metadata={"server_tools": "get_tasks"})
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "What is on my list?"}])
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=50)
    steps = client.beta.threads.runs.steps.list(thread_id=thread.id, run_id=run.id, order="asc")
    return {
        "status": run.status,
        "incomplete_details": run.incomplete_details.model_dump(),
        "steps": [[s.type, s.status, [[t.function.name, t.function.output] for t in s.step_details.tool_calls]] for s in steps.data],
    }


def failure(client):
    """The upstream fails: the run fails with last_error, the thread is intact and goes on."""
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hello?"}])
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=50)
    again = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=50)
    return {
        "status": run.status,
        "last_error": run.last_error.model_dump(),
        "failed_at": run.failed_at is not None,
        "again": again.status,
        "messages": answer_of(client, thread.id),
    }


def refused(label, call, log):
    try:
        call()
        log.append([label, "accepted"])
    except openai.APIStatusError as error:
        body = error.body if isinstance(error.body, dict) else {}
        log.append([label, error.status_code, body.get("message"), body.get("param"), body.get("code"), body.get("type")])


def bad_requests(client):
    """Requests the server refuses, each with the reference's status and error shape."""
    log = []
    runs = client.beta.threads.runs
    refused("unknown assistant", lambda: client.beta.assistants.retrieve("asst_missing"), log)
    wrong = OpenAI(base_url=str(client.base_url), api_key="wrong-key", max_retries=0)
    refused("wrong key", lambda: wrong.beta.assistants.list(), log)
    refused("model of the wrong type", lambda: client.beta.assistants.create(model=42), log)
    refused("a hosted tool", lambda: client.beta.assistants.create(model="gpt-4o", tools=[{"type": "code_interpreter"}]), log)
    refused("an unknown server tool", lambda: client.beta.assistants.create(model="gpt-4o", metadata={"server_tools": "launch_rockets"}), log)
    refused("a limit over 100", lambda: client.beta.assistants.list(limit=1000), log)
    assistant = weather_assistant(client)
    refused("unknown thread", lambda: runs.create(thread_id="thread_missing", assistant_id=assistant.id), log)
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Weather in San Francisco?"}])
    refused("unknown run", lambda: runs.retrieve(thread_id=thread.id, run_id="run_missing"), log)
    run = runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=50)
    calls = run.required_action.submit_tool_outputs.tool_calls
    refused("a second active run", lambda: runs.create(thread_id=thread.id, assistant_id=assistant.id), log)
    refused("a message during a run", lambda: client.beta.threads.messages.create(thread_id=thread.id, role="user", content="Hi"), log)
    refused(
        "an output for an unknown call",
        lambda: runs.submit_tool_outputs(thread_id=thread.id, run_id=run.id, tool_outputs=[{"tool_call_id": "call_unknown", "output": "x"}]),
        log,
    )
    refused(
        "a missing output",
        lambda: runs.submit_tool_outputs(thread_id=thread.id, run_id=run.id, tool_outputs=[{"tool_call_id": calls[0].id, "output": "x"}]),
        log,
    )
    still = runs.retrieve(thread_id=thread.id, run_id=run.id)
    log.append(["still waiting", still.status, len(still.required_action.submit_tool_outputs.tool_calls)])
    runs.cancel(thread_id=thread.id, run_id=run.id)
    refused(
        "a submit to a run not waiting",
        lambda: runs.submit_tool_outputs(thread_id=thread.id, run_id=run.id, tool_outputs=[{"tool_call_id": c.id, "output": "x"} for c in calls]),
        log,
    )
    return {"log": log}


def restart_begin(client):
    """Before the restart: a run waiting for outputs, and one the model is working on."""
    assistant = weather_assistant(client)
    waiting_thread = client.beta.threads.create(messages=[{"role": "user", "content": "Weather in San Francisco?"}])
    waiting = client.beta.threads.runs.create_and_poll(thread_id=waiting_thread.id, assistant_id=assistant.id, poll_interval_ms=50)
    busy_thread = client.beta.threads.create(messages=[{"role": "user", "content": "And in Paris?"}])
    busy = client.beta.threads.runs.create(thread_id=busy_thread.id, assistant_id=assistant.id)
    poll(client, busy_thread.id, busy.id, {"in_progress"})
    return {
        "assistant": assistant.id,
        "waiting": [waiting_thread.id, waiting.id, waiting.status],
        "busy": [busy_thread.id, busy.id],
        "calls": [[c.id, c.function.name, c.function.arguments] for c in waiting.required_action.submit_tool_outputs.tool_calls],
    }


def restart_end(client, before):
    """After the restart: the busy run failed, the waiting one takes its outputs."""
    thread_id, run_id, _ = before["waiting"]
    busy = client.beta.threads.runs.retrieve(thread_id=before["busy"][0], run_id=before["busy"][1])
    waiting = client.beta.threads.runs.retrieve(thread_id=thread_id, run_id=run_id)
    calls = waiting.required_action.submit_tool_outputs.tool_calls
    run = client.beta.threads.runs.submit_tool_outputs_and_poll(
        thread_id=thread_id,
        run_id=run_id,
        tool_outputs=[{"tool_call_id": c.id, "output": weather_output(c)} for c in calls],
        poll_interval_ms=50,
    )
    return {
        "assistant": client.beta.assistants.retrieve(before["assistant"]).name,
        "busy": [busy.status, busy.last_error.model_dump()],
        "busy_messages": answer_of(client, before["busy"][0]),
        "waiting": [waiting.status, [[c.id, c.function.name, c.function.arguments] for c in calls] == before["calls"]],
        "final": run.status,
        "messages": answer_of(client, thread_id),
    }


def planner(client, decision):
    """The task planner's tools served: add_task runs on the server; delete_all_tasks waits
    for the client's decision, `approve` or a refusal."""
    assistant = client.beta.assistants.create(
        model="gpt-4o",
        instructions="You keep the user's task list.",
        metadata={"server_tools": "add_task,get_tasks,delete_all_tasks"},
    )
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Add: buy bread. Then clear my list."}])
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=50)
    waiting = [run.status, [[c.function.name, c.function.arguments] for c in run.required_action.submit_tool_outputs.tool_calls]]
    call = run.required_action.submit_tool_outputs.tool_calls[0]
    run = client.beta.threads.runs.submit_tool_outputs_and_poll(
        thread_id=thread.id, run_id=run.id, tool_outputs=[{"tool_call_id": call.id, "output": decision}], poll_interval_ms=50
    )
    steps = client.beta.threads.runs.steps.list(thread_id=thread.id, run_id=run.id, order="asc")
    return {
        "waiting": waiting,
        "status": run.status,
        "steps": [[s.type] + ([[t.function.name, t.function.output] for t in s.step_details.tool_calls] if s.type == "tool_calls" else []) for s in steps.data],
        "messages": answer_of(client, thread.id),
    }


def expire(client):
    """A run whose outputs come after its expires_at ends expired, and refuses them."""
    assistant = weather_assistant(client)
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Weather in San Francisco?"}])
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=50)
    waiting = [run.status, run.expires_at - run.created_at]
    time.sleep(max(0.0, run.expires_at - time.time()) + 1.1)
    later = client.beta.threads.runs.retrieve(thread_id=thread.id, run_id=run.id)
    log = []
    refused(
        "outputs too late",
        lambda: client.beta.threads.runs.submit_tool_outputs(
            thread_id=thread.id,
            run_id=run.id,
            tool_outputs=[{"tool_call_id": c.id, "output": "x"} for c in run.required_action.submit_tool_outputs.tool_calls],
        ),
        log,
    )
    steps = client.beta.threads.runs.steps.list(thread_id=thread.id, run_id=run.id)
    return {
        "waiting": waiting,
        "later": [later.status, later.required_action],
        "log": log,
        "steps": [[s.type, s.status, s.expired_at is not None] for s in steps.data],
    }


SCENARIOS = {
    "expire": expire,
    "weather": weather,
    "weather_poll": weather_poll,
    "stream": stream,
    "callback": callback,
    "cancel": cancel,
    "turn_limit": turn_limit,
    "failure": failure,
    "bad_requests": bad_requests,
    "restart_begin": restart_begin,
    "restart_end": lambda client: restart_end(client, json.loads(sys.argv[4])),
    "planner_refuse": lambda client: planner(client, "No, keep my list."),
    "planner_approve": lambda client: planner(client, "approve"),
}

if __name__ == "__main__":
    scenario, base_url, api_key = sys.argv[1:4]
    client = OpenAI(base_url=base_url, api_key=api_key, max_retries=0, timeout=30)
    try:
        result = SCENARIOS[scenario](client)
    except openai.APIStatusError as error:
        result = {"api_error": error.status_code, "body": error.body}
    print(json.dumps(result))
