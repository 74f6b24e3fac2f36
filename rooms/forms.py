from django import forms


class RoomForm(forms.Form):
    name = forms.CharField(min_length=3, max_length=100)
    description = forms.CharField(max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    is_private = forms.BooleanField(label="Private (invisible to non-members)", required=False)
    password = forms.CharField(
        max_length=128, required=False, widget=forms.PasswordInput(render_value=False),
        help_text="Private rooms: people who know it can join. Leave empty to keep the current one.",
    )  # fmt: skip


class JoinForm(forms.Form):
    room = forms.IntegerField(label="Room number", min_value=1)
    password = forms.CharField(max_length=128, required=False, widget=forms.PasswordInput)
