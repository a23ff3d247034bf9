"""The German defaults of :class:`cadence._templates.Templates` (``locale="de"``): each text
means what its English default means, with the same ``{field}`` where it has one. The rep is
addressed with "Sie"; the prospect is "Ihr Kontakt". ``{next_attempt}`` and
``{voicemail_day}`` follow "am" ("am Dienstagvormittag", "am Montag, 2. März")."""

from __future__ import annotations

__all__ = ["GERMAN"]

GERMAN: dict[str, str] = {
    "voicemail": (
        "Falls Sie die Mailbox erreichen: Sagen Sie, dass Sie es am {next_attempt} erneut "
        "versuchen, und nennen Sie einen kurzen Gesprächsanlass (eine Neuigkeit, ein Angebot, "
        "eine Frist, falls es eilt). Kein Verkaufsgespräch."
    ),
    "voicemail_next_is_email": (
        "Falls Sie die Mailbox erreichen: Sagen Sie, dass Sie sich am {next_attempt} per E-Mail "
        "melden, und nennen Sie einen kurzen Gesprächsanlass. Kein Verkaufsgespräch."
    ),
    "voicemail_email": (
        "Erwähnen Sie die Nachricht, die Sie am {voicemail_day} auf der Mailbox hinterlassen "
        "haben; fassen Sie sich kurz und nennen Sie den Gesprächsanlass noch einmal."
    ),
    "voicemail_email_opt_out": (
        "Erwähnen Sie die Nachricht, die Sie am {voicemail_day} hinterlassen haben, und "
        "wiederholen Sie das Angebot daraus schriftlich: Sie versuchen es weiter, es sei denn, "
        "Ihr Kontakt möchte das nicht. Eine kurze Antwort genügt."
    ),
    "switch_to_email_subject": "Ihre Anfrage zu {topic}",
    "opt_out_offer": (
        "Wir verpassen uns immer wieder. Sagen Sie, dass Sie es weiter versuchen, bis ein "
        "Gespräch zustande kommt, es sei denn, Ihr Kontakt möchte das nicht, und dass Sie die "
        "Antwort respektieren."
    ),
    "breakup": (
        "Eine letzte, freundliche Nachricht: Da Sie einander nicht erreicht haben, schließen Sie "
        "den Vorgang; Ihr Kontakt kann sich jederzeit melden, wenn sich etwas ändert."
    ),
    "ask_permission": (
        "Fragen Sie vor dem Auflegen: Darf ich mich wieder bei Ihnen melden, wenn es Neuigkeiten "
        "gibt?"
    ),
    "ask_channel": (
        "Fragen Sie, wie Ihr Kontakt am liebsten erreicht werden möchte, wenn Sie eine Antwort "
        "brauchen (R16)."
    ),
    "ask_decision_makers": (
        "Fragen Sie, wer außer Ihrem Kontakt noch an der Entscheidung beteiligt ist."
    ),
    "referral": (
        "Beginnen Sie mit der Empfehlung: Sagen Sie in einem Satz, wer Ihnen die "
        "Kontaktaufnahme empfohlen hat und warum; bitten Sie dann um ein kurzes Gespräch."
    ),
    "agree_next_contact": (
        "Vereinbaren Sie vor dem Ende des Gesprächs ein konkretes Datum und eine Uhrzeit für "
        "den nächsten Kontakt."
    ),
    "drip_touch": (
        "Teilen Sie etwas Nützliches (eine Neuigkeit, ein Fallbeispiel, eine Einschätzung); "
        "bitten Sie um nichts."
    ),
    "receptionist": (
        "Rufen Sie am Empfang oder im Sekretariat an: Sagen Sie, dass Sie Ihren Kontakt nur "
        "schwer erreichen, und fragen Sie, ob die Person abwesend war oder sich etwas geändert "
        "hat."
    ),
    "receptionist_by_email": (
        "Schreiben Sie an den Empfang oder das Sekretariat: Sagen Sie, dass Sie Ihren Kontakt "
        "nur schwer erreichen, und fragen Sie, ob die Person abwesend war oder sich etwas "
        "geändert hat."
    ),
    "manager_escalation": (
        "Bitten Sie Ihre Führungskraft, sich an die vorgesetzte Person Ihres Kontakts zu wenden, "
        "damit Ihr eigenes Verhältnis zu Ihrem Kontakt unbelastet bleibt."
    ),
    "referral_unnamed": (
        "Ihr Kontakt hat niemanden genannt: Fragen Sie, an wen Sie sich wenden sollen und wie."
    ),
    "switch_to_email": (
        "Wählen Sie einen Betreff, der sich auf die Anfrage bezieht; fassen Sie sich kurz."
    ),
    "apology": "Entschuldigen Sie sich herzlich für die Absage; fassen Sie sich kurz.",
    "apology_call": (
        "Entschuldigen Sie sich herzlich für die Absage; schlagen Sie gleich zwei oder drei neue "
        "Termine vor."
    ),
    "apology_call_rebooked": (
        "Entschuldigen Sie sich herzlich für die Absage; bedanken Sie sich für den neu "
        "vereinbarten Termin."
    ),
    "apology_call_no_meetings": (
        "Entschuldigen Sie sich herzlich für die Absage; Ihr Kontakt wünscht keine weiteren "
        "Termine."
    ),
    "apology_after_voicemail": (
        "Entschuldigen Sie sich für die Absage und erwähnen Sie Ihre Nachricht auf der Mailbox; "
        "fassen Sie sich kurz."
    ),
    "flexibility_call": (
        "Zeigen Sie sich flexibel: vor oder nach den Bürozeiten, oder bei einem Kaffee oder "
        "Mittagessen, falls Ihr Kontakt in der Nähe ist."
    ),
    "flexibility": (
        "Zeigen Sie sich flexibel: ein Termin vor und einer nach Ihren üblichen Zeiten."
    ),
    "meet_locally": (
        "Ihr Kontakt ist in der Nähe: Schlagen Sie ein Treffen bei einem Kaffee oder "
        "Mittagessen vor."
    ),
    "send_invitation": (
        "Senden Sie die Einladung, sobald ein Termin gewählt ist, damit er fest im Kalender "
        "Ihres Kontakts steht."
    ),
    "missed_meeting_voicemail": (
        "Erwähnen Sie Ihre Nachricht auf der Mailbox zum verpassten Termin; fassen Sie sich kurz."
    ),
    "rebook_after_absence": (
        "Begrüßen Sie Ihren Kontakt nach der Abwesenheit herzlich; schlagen Sie freundlich "
        "einen neuen Termin vor."
    ),
    "rebook": (
        "Bedanken Sie sich für die Rückmeldung; schlagen Sie freundlich einen neuen Termin vor."
    ),
    "material": (
        "Senden Sie jetzt das zugesagte Angebot oder die zugesagten Unterlagen; kündigen Sie an, "
        "dass Sie sie bald gemeinsam besprechen."
    ),
    "material_missed_meeting": (
        "Da der Termin nicht stattfinden konnte, senden Sie ergänzende Informationen, die den "
        "nächsten Termin produktiver machen."
    ),
    "material_email_bounced": (
        "Die E-Mail an Ihren Kontakt kam als unzustellbar zurück: Bitten Sie um eine "
        "funktionierende Adresse; sobald sie erfasst ist, gehen die Unterlagen per E-Mail hinaus."
    ),
    "material_no_email": (
        "Ihr Kontakt möchte keine E-Mails: Gehen Sie die Unterlagen in diesem Anruf gemeinsam "
        "durch (auf der Mailbox: Fassen Sie sie in einem Satz zusammen und bieten Sie an, sie "
        "beim Rückruf durchzugehen); schicken Sie sie nur schriftlich, wenn Ihr Kontakt wieder "
        "in E-Mails einwilligt."
    ),
    "material_at_meeting": (
        "Bringen Sie die ergänzenden Informationen mit, die Sie vor dem Termin schicken wollten, "
        "und gehen Sie sie gemeinsam durch: Das macht den Termin produktiver (R15)."
    ),
    "log_meeting": (
        "Erfassen Sie den Termin: meeting_held, mit dem vereinbarten nächsten Kontakt und der "
        "Zustimmung, in Kontakt zu bleiben, oder meeting_no_show."
    ),
    "moved_away": (
        "Der vereinbarte Zeitpunkt hat sich verschoben (Ihr Kontakt war abwesend): Geben Sie "
        "Bescheid."
    ),
    "moved_legal_cap": (
        "Der vereinbarte Zeitpunkt hat sich verschoben (eine gesetzliche Obergrenze für Anrufe "
        "schließt ihn aus): Geben Sie Bescheid."
    ),
    "moved_day_off": (
        "Der vereinbarte Zeitpunkt hat sich verschoben (er fällt auf einen arbeitsfreien Tag): "
        "Geben Sie Bescheid."
    ),
    "moved_outside_hours": (
        "Der vereinbarte Zeitpunkt hat sich verschoben (er liegt außerhalb der Zeiten, die "
        "Richtlinie und Gesetz erlauben): Geben Sie Bescheid."
    ),
}
