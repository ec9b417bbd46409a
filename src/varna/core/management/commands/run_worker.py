import os
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
        worker = Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        while True:
            close_old_connections()
            WorkerHeartbeat.objects.update_or_create(
                worker_id=worker_id, defaults={"last_seen": timezone.now(), "hostname": socket.gethostname()}
            )
            enqueue_due_jobs()
            worker.run()
            if once:
                return
            time.sleep(interval)
