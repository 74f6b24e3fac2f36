from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from media import orphans, services


class Command(BaseCommand):
    help = (
        "Delete stored objects that no files row (or avatar) points to, once they are older than a grace "
        "period, and report files rows whose object is missing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=3600,
            metavar="SECONDS",
            help="Leave objects written less than this long ago alone: their upload may be in flight (default 3600).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Print what would be deleted, delete nothing.")
        parser.add_argument(
            "--delete-missing-rows",
            action="store_true",
            help="Also delete the files rows whose object is missing (their tracks go with them).",
        )

    def handle(self, *args, older_than: int, dry_run: bool, delete_missing_rows: bool, **options):
        if older_than < 0:
            raise CommandError("--older-than must be 0 or more seconds.")
        verb = "would delete" if dry_run else "deleted"
        found = 0
        for orphan in orphans.orphan_objects(older_than=timedelta(seconds=older_than)):
            if not dry_run and not services.orphan_object_delete(name=orphan.name):
                continue  # a row points to it after all
            found += 1
            written = orphan.modified.isoformat(timespec="seconds")
            self.stdout.write(f"{verb} orphan object {orphan.name} ({orphan.size} bytes, written {written})")
        missing = 0
        for file in orphans.rows_without_object():
            missing += 1
            described = f"files row {file.pk} of {file.user.username}: object {file.path} is missing"
            if delete_missing_rows and not dry_run:
                services.file_forget(file=file)
                action = "deleted"
            else:
                action = "would delete" if delete_missing_rows else "kept"
            self.stdout.write(f"{action} {described}")
        self.stdout.write(
            self.style.SUCCESS(f"{found} orphan object(s) {verb}, {missing} files row(s) without an object.")
        )
