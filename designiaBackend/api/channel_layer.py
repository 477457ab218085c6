"""The channel layer of the sockets: channels-redis's pub/sub layer with a bounded queue per socket.

Why pub/sub rather than channels-redis's list layer: a group send there is four Redis commands and
each message received three more (a clean-up script, a blocking pop, a backup write), one system
call each; the profile of the chat benchmark had a third of the server's CPU in those writes. Here
a group send is one PUBLISH and a process receives each message once, over one subscribed
connection, fanning it out to its own sockets in memory.

What the list layer gave and this one keeps: ``capacity`` (events queued for one socket; beyond it
they are dropped for that socket alone, logged, so a stalled reader cannot grow the server's
memory). What it gives up: events are not kept for a consumer that is not connected at the moment
they are sent; sockets only ever wanted live events (the messages themselves are in the database).
"""

import asyncio
import logging
from typing import Any

from channels_redis import pubsub

logger = logging.getLogger(__name__)


class _BoundedShard(pubsub.RedisSingleShardConnection):
    async def publish(self, channel: str, message: bytes) -> None:
        # The parent holds the shard's lock across the round trip, serialising every send of the
        # process; the client's pool is safe to share, the lock only guards its creation.
        if self._redis is None:
            async with self._lock:
                self._ensure_redis()
        await self._redis.publish(channel, message)

    async def publish_many(self, messages: list[tuple[str, bytes]]) -> None:
        """PUBLISH each (channel, message) in this order, in one round trip (a pipeline)."""
        if self._redis is None:
            async with self._lock:
                self._ensure_redis()
        pipe = self._redis.pipeline(transaction=False)
        for channel, message in messages:
            pipe.publish(channel, message)
        await pipe.execute()

    def _receive_message(self, message: dict[str, Any] | None) -> None:
        if message is None:
            return
        name = message["channel"]
        name = name.decode() if isinstance(name, bytes) else name
        layer = self.channel_layer
        members = [name] if name in layer.channels else layer.groups.get(name, ())
        for channel_name in members:
            queue = layer.channels.get(channel_name)
            if queue is None:
                continue
            try:
                queue.put_nowait(message["data"])
            except asyncio.QueueFull:
                logger.warning("Channel %s over capacity: event dropped", channel_name)


class _BoundedLoopLayer(pubsub.RedisPubSubLoopLayer):
    def __init__(self, *args: Any, capacity: int = 100, hosts: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, hosts=hosts, **kwargs)
        self.capacity = capacity
        self._shards = [_BoundedShard(host, self) for host in pubsub.decode_hosts(hosts)]

    async def group_send_many(self, sends: list[tuple[str, dict[str, Any]]]) -> None:
        """``group_send`` of each (group, event), in this order, one round trip per shard: what
        a batch of chat messages announces (each to its thread and its recipients' groups)."""
        by_shard: dict[int, list[tuple[str, bytes]]] = {}
        encoded: dict[int, bytes] = {}  # one event often goes to several groups: encoded once
        for group, event in sends:
            data = encoded.get(id(event))
            if data is None:
                data = encoded[id(event)] = self.channel_layer.serialize(event)
            channel = self._get_group_channel_name(group)
            shard = self._get_shard(channel)
            by_shard.setdefault(id(shard), []).append((channel, data))
        shards = {id(shard): shard for shard in self._shards}
        await asyncio.gather(*(shards[key].publish_many(items) for key, items in by_shard.items()))

    async def _subscribe_to_channel(self, channel: str) -> None:
        self.channels[channel] = asyncio.Queue(maxsize=self.capacity)
        await self._get_shard(channel).subscribe(channel)


class BoundedPubSubChannelLayer(pubsub.RedisPubSubChannelLayer):
    """``CONFIG``: ``hosts``, ``prefix`` and ``capacity`` (per consumer queue)."""

    def _get_layer(self) -> _BoundedLoopLayer:
        loop = asyncio.get_running_loop()
        layer: _BoundedLoopLayer | None = self._layers.get(loop)
        if layer is None:
            layer = self._layers[loop] = _BoundedLoopLayer(*self._args, **self._kwargs, channel_layer=self)
            pubsub._wrap_close(self, loop)
        return layer
