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


SCENARIOS = {"weather": weather, "weather_poll": weather_poll, "stream": stream}

if __name__ == "__main__":
    scenario, base_url, api_key = sys.argv[1:4]
    client = OpenAI(base_url=base_url, api_key=api_key, max_retries=0, timeout=30)
    try:
        result = SCENARIOS[scenario](client)
    except openai.APIStatusError as error:
        result = {"api_error": error.status_code, "body": error.body}
    print(json.dumps(result))
