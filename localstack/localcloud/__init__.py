"""The local cloud: MiniStack plus real backing servers on loopback, and the glue MiniStack lacks
(HTTP API routes, the Kafka trigger bridge, the outbox relay). Never shipped to a cloud."""
