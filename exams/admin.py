from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from exams.models import Attempt, AttemptQuestion, Option, Question


class OptionInline(admin.TabularInline):
    model = Option
    extra = 0
    fields = ("position", "text", "correct", "why")


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("key", "consideration", "choose", "retired", "edited_in_admin")
    list_filter = (
        "consideration__objective__section__edition",
        "consideration__objective__section",
        "choose",
        "retired",
    )
    search_fields = ("key", "stem", "options__text")
    list_select_related = ("consideration",)
    raw_id_fields = ("consideration",)
    readonly_fields = ("key", "preview")
    inlines = [OptionInline]

    @admin.display(description="Preview (as learners see it, after answering)")
    def preview(self, obj: Question) -> str:
        if obj.pk is None:
            return "Save the question to see it rendered."
        options = format_html_join(
            "",
            "<li><strong>{}</strong> {} <em>{}</em></li>",
            (
                ("Correct:" if o.correct else "Wrong:", mark_safe(o.text_html), mark_safe(o.why_html))
                for o in obj.options.all()
            ),  # noqa: S308 - sanitised on save
        )
        return format_html('<div class="prose">{}</div><ul>{}</ul>', mark_safe(obj.stem_html), options)  # noqa: S308

    def save_model(self, request, obj: Question, form, change: bool) -> None:
        # An admin's edit wins over later file loads, as for cards (README: "Content").
        if change and {"stem", "choose", "link", "consideration"} & set(form.changed_data):
            obj.edited_in_admin = True
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        if change and formset.has_changed():
            Question.objects.filter(pk=form.instance.pk).update(edited_in_admin=True)


class AttemptQuestionInline(admin.TabularInline):
    model = AttemptQuestion
    extra = 0
    fields = ("position", "question", "chosen", "flagged", "seconds", "correct")
    readonly_fields = fields
    can_delete = False


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "title", "started_at", "submitted_at", "correct_count", "question_count")
    list_filter = ("kind", "edition")
    raw_id_fields = ("user",)
    inlines = [AttemptQuestionInline]
