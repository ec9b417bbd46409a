import os
import signal
import socket
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker

from varna.core.jobs import enqueue_due_jobs
from varna.core.models import WorkerHeartbeat


class Command(BaseCommand):
    help = "Run Värna's background worker: the schedule of periodic jobs and the task queue."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="enqueue due jobs, run the queue empty, and exit")
        parser.add_argument("--interval", type=float, default=5.0)

    def handle(self, *args, once, interval, **options):
        worker_id = f"{socket.gethostname()}-{os.getpid()}"[:64]
        self.worker = Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        self.stopping = False
        # A single run (--once, the tests) is stopped like any command, and may run off the main thread.
        stop_signals = () if once else (signal.SIGINT, signal.SIGTERM)
        previous = {sig: signal.signal(sig, self.request_stop) for sig in stop_signals}
        try:
            while not self.stopping:
                close_old_connections()
                WorkerHeartbeat.objects.update_or_create(
                    worker_id=worker_id, defaults={"last_seen": timezone.now(), "hostname": socket.gethostname()}
                )
                enqueue_due_jobs()
                self.worker.run()
                if once:
                    return
                self.sleep(interval)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def request_stop(self, signum, frame):
        """Stop after the task being run, so that none is left half done and marked running.
        SIGTERM (a service manager, `varna demo` stopping its worker) may come more than once;
        a second Ctrl+C means "now" and ends the process as an unhandled SIGINT would."""
        if self.stopping and signum == signal.SIGINT:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGINT)
        self.stopping = True
        # django-tasks-db's worker checks this between tasks.
        self.worker.running = False

    def sleep(self, seconds: float) -> None:
        """Sleep in short steps, so that a stop request is answered at once."""
        deadline = time.monotonic() + seconds
        while not self.stopping and (left := deadline - time.monotonic()) > 0:
            time.sleep(min(left, 0.2))
