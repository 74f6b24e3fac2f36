from django.core.management.base import BaseCommand, CommandError

from accounts import tokens


class Command(BaseCommand):
    help = "Delete expired refresh tokens, in batches (schedule it daily)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000, help="Rows deleted per statement (default 1000).")

    def handle(self, *args, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be positive.")
        deleted = tokens.tokens_purge_expired(batch_size=batch_size)
        self.stdout.write(self.style.SUCCESS(f"{deleted} expired refresh token(s) deleted."))
