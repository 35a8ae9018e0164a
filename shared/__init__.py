"""ALGORITHMIC ARTS domain package: domain, services, ports and adapters shared by every function.

Nothing here imports a cloud SDK at module level: handlers stay cheap to cold-start and the
domain runs the same on AWS, Yandex Cloud and the local cloud.
"""
