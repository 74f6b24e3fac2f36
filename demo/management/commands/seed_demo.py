from django.core.management.base import BaseCommand

from demo import data


class Command(BaseCommand):
    help = "Load the demo data (idempotent): accounts, rooms, messages, tracks, products and listings."

    def handle(self, *args, **options):
        report = data.seed()
        if report.loaded_before:
            self.stdout.write("Demo data already loaded; nothing created.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded ({report.created} objects)."))
        self.stdout.write(
            "Log in at http://127.0.0.1:8000/admin/ as 'admin' (super admin) or 'moderator' (admin); "
            f"demo users alice, bob, chloe. Password for every demo account: {report.password}"
        )
