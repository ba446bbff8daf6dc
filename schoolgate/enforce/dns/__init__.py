"""The DNS filtering resolver: DNS messages in, the engine's decisions out as DNS answers.

Layers, innermost first: `wire` (parse a query without trusting it), `policy` (client and name →
the engine's Decision, memoised), `handler` (the whole exchange as a pure function: message in,
answer or "forward this" out), and `server` (the thin asyncio layer that owns sockets).
"""
