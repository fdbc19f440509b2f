from __future__ import annotations

import asyncio
import contextlib

import aio_pika
from fastapi import FastAPI

# Five residents' petitions on different topics, for tests that post a stream of items.
TEXTS = [
    "Cống thoát nước trước chợ bị nghẹt, mưa là ngập.",
    "Rác thải sinh hoạt đổ bừa bãi ven kênh, bốc mùi.",
    "Xe tải chạy tốc độ cao qua trường học, đề nghị lắp biển báo.",
    "Thủ tục cấp giấy phép xây dựng nhà ở kéo dài quá lâu.",
    "Đèn đường hư, ban đêm trộm cắp nhiều.",
]


@contextlib.asynccontextmanager
async def running(app: FastAPI):
    """Run the app's lifespan (store, broker, consumers, relay) around the block."""
    async with app.router.lifespan_context(app):
        yield app


async def dead_letters(
    rabbitmq_url: str, queue_name: str, expected: int, timeout: float = 10.0
) -> list[aio_pika.abc.AbstractIncomingMessage]:
    """Take `expected` messages from a dead-letter queue (polling with a deadline)."""
    connection = await aio_pika.connect(rabbitmq_url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(queue_name, ensure=True)
        got = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(got) < expected and loop.time() < deadline:
            message = await queue.get(no_ack=True, fail=False)
            if message is None:
                await asyncio.sleep(0.05)
            else:
                got.append(message)
        return got
