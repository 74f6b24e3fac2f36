"""WindowCountPaginator: the count comes with the page's rows, and answers what Django's Paginator answers."""

import pytest
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator

from core.api import WindowCountPaginator
from media.models import File
from tests.media.factories import FileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def files():
    for size in (1, 2, 3, 4, 5, 5, 5):  # five distinct sizes
        FileFactory(size=size)
    return File.objects.order_by("id")


@pytest.mark.parametrize("shape", ["instances", "values", "distinct values"])
@pytest.mark.parametrize(("per_page", "number"), [(2, 1), (2, 3), ("2", "2"), (5, 1), (10, 1)])
def test_pages_and_counts_match_djangos(files, shape, per_page, number):
    queryset = {
        "instances": files,
        "values": files.values("id", "size"),
        "distinct values": files.order_by("size").values("size").distinct(),  # counted apart
    }[shape]
    ours, django = WindowCountPaginator(queryset, per_page).page(number), Paginator(queryset, per_page).page(number)
    assert list(ours) == list(django)
    assert (ours.paginator.count, ours.paginator.num_pages) == (django.paginator.count, django.paginator.num_pages)
    assert (ours.has_next(), ours.has_previous()) == (django.has_next(), django.has_previous())


def test_a_page_runs_one_query(files, django_assert_num_queries):
    with django_assert_num_queries(1):
        page = WindowCountPaginator(files.values("id"), 2).page(2)
        assert (page.paginator.count, len(page), page.has_next()) == (7, 2, True)


def test_an_empty_first_page_counts_zero(django_assert_num_queries):
    with django_assert_num_queries(1):
        assert WindowCountPaginator(File.objects.order_by("id"), 2).page(1).paginator.count == 0


@pytest.mark.parametrize(
    ("number", "error"),
    [(5, EmptyPage), (0, EmptyPage), ("x", PageNotAnInteger), (None, PageNotAnInteger), (1.5, PageNotAnInteger)],
)
def test_pages_out_of_range_are_refused_as_django_refuses_them(files, number, error):
    with pytest.raises(error) as ours:
        WindowCountPaginator(files, 2).page(number)
    with pytest.raises(error) as django:
        Paginator(files, 2).page(number)
    assert str(ours.value) == str(django.value)
