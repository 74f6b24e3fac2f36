from rest_framework import serializers

from search import selectors


class AutocompleteQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        max_length=selectors.MAX_QUERY_LENGTH, allow_blank=True, trim_whitespace=True,
        help_text='Words, "exact phrases", -excluded and OR, as in a web search engine.',
    )  # fmt: skip

    def validate_q(self, value: str) -> str:
        try:
            return selectors.clean_query(value)
        except selectors.QueryError as error:
            raise serializers.ValidationError(str(error)) from error


class SearchQuerySerializer(AutocompleteQuerySerializer):
    type = serializers.ChoiceField(
        choices=selectors.TYPES, required=False, help_text="One type; every entity type if absent."
    )
    page = serializers.IntegerField(min_value=1, max_value=1000, default=1)
    page_size = serializers.IntegerField(min_value=1, max_value=50, default=selectors.PAGE_SIZE)


class SearchHitSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=selectors.TYPES)
    id = serializers.IntegerField()
    title = serializers.CharField(help_text="Plain text.")
    snippet = serializers.CharField(help_text="HTML: escaped text, matches in <mark>.")
    url = serializers.CharField()
    created_at = serializers.DateTimeField(required=False, help_text="Messages only.")


class SearchResultsSerializer(serializers.Serializer):
    query = serializers.CharField()
    type = serializers.CharField(allow_null=True)
    count = serializers.IntegerField(help_text="Results of the requested type(s).")
    counts = serializers.DictField(
        child=serializers.IntegerField(), help_text=f"Results per type, counted up to {selectors.COUNT_LIMIT:,}."
    )
    capped = serializers.ListField(
        child=serializers.CharField(), help_text=f"Types with more than {selectors.COUNT_LIMIT:,} results."
    )
    near = serializers.BooleanField(help_text="True when found by near spelling, not by the words themselves.")
    page = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = SearchHitSerializer(many=True)


class AutocompleteSerializer(serializers.Serializer):
    results = SearchHitSerializer(many=True)
