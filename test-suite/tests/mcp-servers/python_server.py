"""An MCP server written with the official Python SDK (`mcp`, FastMCP), for
tests/suite/mcp_python.rs. `python_server.py stdio` speaks on stdin/stdout;
`python_server.py http PORT` serves streamable HTTP on 127.0.0.1:PORT/mcp.
"""

import sys

from mcp.server.fastmcp import FastMCP
from pydantic import BaseModel, Field

PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 8000
server = FastMCP("python-weather", host="127.0.0.1", port=PORT, log_level="WARNING")


class Forecast(BaseModel):
    """A day's forecast."""

    city: str = Field(description="The city.")
    high: int = Field(description="The day's highest temperature, in Celsius.")
    conditions: str = Field(description="The sky.")


@server.tool()
def forecast(city: str, days: int = 1) -> Forecast:
    """The forecast for a city, `days` from today."""
    return Forecast(city=city, high=20 + days, conditions="sunny")


@server.tool()
def divide(a: float, b: float) -> float:
    """Divide a by b."""
    if b == 0:
        raise ValueError("cannot divide by zero")
    return a / b


if __name__ == "__main__":
    server.run("stdio" if sys.argv[1] == "stdio" else "streamable-http")
