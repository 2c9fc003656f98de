"""Running code in real threads, each on its own database connection (PostgreSQL)."""

import threading


def run_in_threads(targets, *, timeout=60):
    threads = [threading.Thread(target=target) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads)
