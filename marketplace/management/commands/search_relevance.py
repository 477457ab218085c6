"""``manage.py search_relevance``: precision@5 and recall of the judged query set.

Run it on the seeded demo catalogue (``make seed`` / ``manage.py seed_demo``): the judgements
(``marketplace.catalog.search.relevance``) name products by their attributes, so any catalogue
size works. Exits non-zero below the minimum precision@5 (``--min``, default 0.8).
"""

from django.core.management.base import BaseCommand, CommandError

from marketplace.catalog.search.relevance import MIN_PRECISION_AT_5, evaluate
from marketplace.catalog.search.selectors import product_list


def ranked_ids(query):
    return list(product_list(filters={"q": query, "ordering": "relevance"}).values_list("id", flat=True))


class Command(BaseCommand):
    help = "Print precision@5 and recall of the judged search queries on the current catalogue."

    def add_arguments(self, parser):
        parser.add_argument("--min", type=float, default=MIN_PRECISION_AT_5, help="minimum precision@5")

    def handle(self, *args, min, **options):
        scores = evaluate(ranked_ids)
        self.stdout.write(f"{'query':<22} {'P@5':>5} {'recall':>6} {'right':>5}  wrong in top 5")
        for score in scores:
            self.stdout.write(
                f"{score.query:<22} {score.precision:>5.2f} {score.recall:>6.2f} {score.relevant:>5}  "
                f"{len(score.wrong_in_top)}"
            )
        precision = sum(s.precision for s in scores) / len(scores)
        recall = sum(s.recall for s in scores) / len(scores)
        self.stdout.write(f"{len(scores)} queries: precision@5 {precision:.3f}, recall {recall:.3f}")
        if precision < min:
            raise CommandError(f"precision@5 {precision:.3f} is below {min}")
