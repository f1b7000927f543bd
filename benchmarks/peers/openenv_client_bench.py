"""OpenEnv 0.10.0's own async client against its server: run in OpenEnv's virtual environment.

    python openenv_client_bench.py BASE_URL SESSIONS ROUNDS

Opens SESSIONS `GenericEnvClient`s (a WebSocket each), resets them, then steps all of them
concurrently ROUNDS times (an echo `call_tool` each), and prints one JSON line: steps, seconds,
errors and the first error. Untimed: opening and resetting.
"""

import asyncio
import json
import sys
import time

from openenv.core import GenericEnvClient

ACTION = {"type": "call_tool", "tool_name": "echo", "arguments": {"message": "hello"}}


async def main(base: str, sessions: int, rounds: int) -> None:
    clients = [GenericEnvClient(base_url=base, message_timeout_s=120.0) for _ in range(sessions)]
    errors: list[str] = []
    for client in clients:
        await client.__aenter__()
    try:
        await asyncio.gather(*(client.reset() for client in clients))

        async def steps(client: GenericEnvClient) -> int:
            done = 0
            for _ in range(rounds):
                try:
                    await client.step(ACTION)
                    done += 1
                except Exception as exc:  # counted, as the other drivers count a failed step
                    errors.append(f"{type(exc).__name__}: {exc}")
            return done

        began = time.perf_counter()
        counted = await asyncio.gather(*(steps(client) for client in clients))
        seconds = time.perf_counter() - began
    finally:
        for client in clients:
            await client.__aexit__(None, None, None)
    print(
        json.dumps(
            {
                "steps": sum(counted),
                "seconds": seconds,
                "errors": len(errors),
                "first_error": errors[0] if errors else "",
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
