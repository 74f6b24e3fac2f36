from django.core.management.base import BaseCommand, CommandError

from chat.partitions import ensure_partitions, existing_partitions


class Command(BaseCommand):
    help = (
        "Create the monthly partitions of the messages table for this month and the next N months "
        "(idempotent; rows already held by messages_default for those months are moved)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=3, help="How many months ahead (default 3).")

    def handle(self, *args, months: int, **options):
        if not 0 <= months <= 120:
            raise CommandError("--months must be between 0 and 120.")
        created = ensure_partitions(months)
        for name in created:
            self.stdout.write(f"created {name}")
        total = len(existing_partitions())
        self.stdout.write(self.style.SUCCESS(f"{len(created)} partition(s) created, {total} in all."))
