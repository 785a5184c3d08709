"""
The seed's own stack, as the original design had it, for the bench to load
side by side with the API (`npm run bench -- --peer`, docs/performance.md):
FastAPI served by Uvicorn (2 workers), asyncpg, and a Redis cache-aside for
listings keyed by skip/limit (`tasks:skip=0:limit=10`), no authentication.
It reads and writes the bench's own `tasks` table (the same seeded rows).

Faithful to that design, not to ours: no history, no outbox, no events, no
roles; a write invalidates the cached listings by deleting the keys
`KEYS tasks:*` finds (which DESIGN.md replaced with generations).
"""
import json
import os
import uuid
from datetime import datetime
from typing import List, Literal, Optional

import asyncpg
import redis.asyncio as aioredis
from fastapi import FastAPI, HTTPException, Query, Response
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, Field

Status = Literal["todo", "in_progress", "done"]
COLUMNS = "id, title, description, status, owner_id, created_at, updated_at, version"
# Tasks created without authentication belong to nobody in particular.
ANONYMOUS = "anonymous"
CACHE_TTL_SECONDS = int(os.environ.get("CACHE_TTL_SECONDS", "300"))


class Task(BaseModel):
    id: uuid.UUID
    title: str
    description: Optional[str]
    status: Status
    owner_id: str
    created_at: datetime
    updated_at: datetime
    version: int


class TaskCreate(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    description: Optional[str] = Field(default=None, max_length=10000)
    status: Status = "todo"


class TaskUpdate(BaseModel):
    title: Optional[str] = Field(default=None, min_length=1, max_length=200)
    description: Optional[str] = Field(default=None, max_length=10000)
    status: Optional[Status] = None


app = FastAPI(title="Task API (seed)")


@app.on_event("startup")
async def startup() -> None:
    app.state.pool = await asyncpg.create_pool(os.environ["DATABASE_URL"], min_size=10, max_size=10)
    app.state.redis = aioredis.from_url(os.environ["REDIS_URL"])


@app.on_event("shutdown")
async def shutdown() -> None:
    await app.state.pool.close()
    await app.state.redis.close()


async def invalidate_listings() -> None:
    keys = await app.state.redis.keys("tasks:*")
    if keys:
        await app.state.redis.delete(*keys)


@app.get("/health")
async def health() -> dict:
    return {"status": "ok"}


@app.get("/tasks", response_model=List[Task])
async def list_tasks(skip: int = Query(0, ge=0), limit: int = Query(10, ge=1, le=100)):
    key = f"tasks:skip={skip}:limit={limit}"
    if CACHE_TTL_SECONDS > 0:
        cached = await app.state.redis.get(key)
        if cached is not None:
            return Response(content=cached, media_type="application/json")
    rows = await app.state.pool.fetch(
        f"SELECT {COLUMNS} FROM tasks ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2", limit, skip
    )
    body = json.dumps(jsonable_encoder([Task(**dict(row)) for row in rows]))
    if CACHE_TTL_SECONDS > 0:
        await app.state.redis.set(key, body, ex=CACHE_TTL_SECONDS)
    return Response(content=body, media_type="application/json")


@app.get("/tasks/{task_id}", response_model=Task)
async def get_task(task_id: uuid.UUID):
    row = await app.state.pool.fetchrow(f"SELECT {COLUMNS} FROM tasks WHERE id = $1", task_id)
    if row is None:
        raise HTTPException(status_code=404, detail="Task not found")
    return dict(row)


@app.post("/tasks", response_model=Task, status_code=201)
async def create_task(task: TaskCreate):
    row = await app.state.pool.fetchrow(
        f"INSERT INTO tasks (id, title, description, status, owner_id) VALUES ($1, $2, $3, $4, $5) RETURNING {COLUMNS}",
        uuid.uuid4(), task.title, task.description, task.status, ANONYMOUS,
    )
    await invalidate_listings()
    return dict(row)


@app.patch("/tasks/{task_id}", response_model=Task)
async def update_task(task_id: uuid.UUID, changes: TaskUpdate):
    fields = changes.dict(exclude_unset=True)
    assignments = ", ".join(f"{name} = ${i + 2}" for i, name in enumerate(fields))
    sets = f"{assignments}, " if assignments else ""
    row = await app.state.pool.fetchrow(
        f"UPDATE tasks SET {sets}version = version + 1, updated_at = date_trunc('milliseconds', now()) "
        f"WHERE id = $1 RETURNING {COLUMNS}",
        task_id, *fields.values(),
    )
    if row is None:
        raise HTTPException(status_code=404, detail="Task not found")
    await invalidate_listings()
    return dict(row)


@app.delete("/tasks/{task_id}", status_code=204)
async def delete_task(task_id: uuid.UUID):
    status = await app.state.pool.execute("DELETE FROM tasks WHERE id = $1", task_id)
    if status == "DELETE 0":
        raise HTTPException(status_code=404, detail="Task not found")
    await invalidate_listings()
    return Response(status_code=204)
