from django import forms

from search import selectors


class SearchForm(forms.Form):
    """The /search page's query: the same rules as ``GET /api/v1/search``."""

    q = forms.CharField(label="Search", max_length=selectors.MAX_QUERY_LENGTH, required=False)
    type = forms.ChoiceField(choices=[(kind, kind) for kind in selectors.TYPES], required=False)
    page = forms.IntegerField(min_value=1, max_value=1000, required=False)

    def clean_q(self) -> str:
        try:
            return selectors.clean_query(self.cleaned_data["q"])
        except selectors.QueryError as error:
            raise forms.ValidationError(str(error)) from error
