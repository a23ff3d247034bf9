"""The French defaults of :class:`cadence._templates.Templates` (``locale="fr"``): each text
means what its English default means, with the same ``{field}`` where it has one."""

from __future__ import annotations

__all__ = ["FRENCH"]

FRENCH: dict[str, str] = {
    "voicemail": (
        "Si vous tombez sur la messagerie : dites que vous rappellerez {next_attempt}, et donnez "
        "une raison courte d'échanger (une nouveauté, une offre, une échéance si c'est urgent). "
        "Pas d'argumentaire."
    ),
    "voicemail_next_is_email": (
        "Si vous tombez sur la messagerie : dites que vous écrirez {next_attempt}, et donnez une "
        "raison courte d'échanger. Pas d'argumentaire."
    ),
    "voicemail_email": (
        "Mentionnez le message laissé {voicemail_day} ; restez bref et redonnez la raison "
        "d'échanger."
    ),
    "voicemail_email_opt_out": (
        "Mentionnez le message laissé {voicemail_day} et reprenez son offre par écrit : vous "
        "continuerez d'essayer, sauf s'ils préfèrent que non. Une ligne en réponse suffit."
    ),
    "switch_to_email_subject": "Votre demande au sujet de {topic}",
    "opt_out_offer": (
        "Nous n'arrivons pas à nous joindre. Dites que vous continuerez d'essayer jusqu'à ce que "
        "vous vous parliez, sauf s'ils préfèrent que non, et que vous respecterez leur réponse."
    ),
    "breakup": (
        "Un dernier message, courtois : vous n'avez pas réussi à les joindre, vous clôturez donc "
        "leur dossier ; ils peuvent vous contacter à tout moment si leur situation change."
    ),
    "ask_permission": (
        "Avant de raccrocher, demandez : puis-je vous recontacter quand il y aura du nouveau ?"
    ),
    "ask_channel": (
        "Demandez comment ils préfèrent être joints quand vous avez besoin d'une réponse (R16)."
    ),
    "ask_decision_makers": "Demandez qui d'autre qu'eux participe à la décision.",
    "referral": (
        "Commencez par la recommandation : dites en une phrase qui vous a suggéré de les "
        "contacter et pourquoi ; puis demandez un court entretien."
    ),
    "agree_next_contact": (
        "Convenez d'une date et d'une heure précises pour le prochain contact avant de conclure."
    ),
    "drip_touch": (
        "Partagez quelque chose d'utile (une nouveauté, un cas, une idée) ; sans demande."
    ),
    "receptionist": (
        "Appelez l'accueil ou l'assistant(e) : dites que vous avez du mal à joindre votre "
        "contact et demandez s'il a été absent ou si quelque chose a changé."
    ),
    "receptionist_by_email": (
        "Écrivez à l'accueil ou à l'assistant(e) : dites que vous avez du mal à joindre votre "
        "contact et demandez s'il a été absent ou si quelque chose a changé."
    ),
    "manager_escalation": (
        "Demandez à votre responsable de contacter le supérieur de votre contact, pour ménager "
        "votre relation avec lui."
    ),
    "referral_unnamed": "Ils n'ont nommé personne : demandez-leur qui contacter, et comment.",
    "switch_to_email": "Choisissez un objet qui rappelle leur demande ; restez court.",
    "apology": "Excusez-vous chaleureusement d'avoir annulé ; restez bref.",
    "apology_call": (
        "Excusez-vous chaleureusement d'avoir annulé ; proposez tout de suite deux ou trois "
        "nouveaux créneaux."
    ),
    "apology_call_rebooked": (
        "Excusez-vous chaleureusement d'avoir annulé ; remerciez-les d'avoir repris rendez-vous."
    ),
    "apology_call_no_meetings": (
        "Excusez-vous chaleureusement d'avoir annulé ; ils ne veulent plus de rendez-vous."
    ),
    "apology_after_voicemail": (
        "Excusez-vous d'avoir annulé et dites que vous avez laissé un message ; restez bref."
    ),
    "flexibility_call": (
        "Montrez-vous flexible : avant ou après les heures de bureau, ou un café ou un déjeuner "
        "s'ils sont dans les environs."
    ),
    "flexibility": ("Montrez-vous flexible : un créneau avant et un après vos horaires habituels."),
    "meet_locally": (
        "Ils sont dans les environs : proposez de vous voir autour d'un café ou d'un déjeuner."
    ),
    "send_invitation": (
        "Envoyez l'invitation dès qu'ils ont choisi un créneau, pour rester dans leur agenda."
    ),
    "missed_meeting_voicemail": (
        "Dites que vous avez laissé un message au sujet du rendez-vous manqué ; restez bref."
    ),
    "rebook_after_absence": (
        "Souhaitez-leur un bon retour ; proposez chaleureusement une nouvelle date pour le "
        "rendez-vous."
    ),
    "rebook": "Remerciez-les de vous avoir prévenu ; proposez chaleureusement une nouvelle date.",
    "material": (
        "Envoyez dès maintenant le devis ou la documentation promis ; dites que vous en "
        "parlerez bientôt."
    ),
    "material_missed_meeting": (
        "Puisque le rendez-vous n'a pas eu lieu, envoyez des informations complémentaires qui "
        "rendront le prochain plus productif."
    ),
    "material_email_bounced": (
        "Leur e-mail est revenu en erreur : demandez une adresse qui fonctionne ; une fois "
        "enregistrée, la documentation partira par e-mail."
    ),
    "material_no_email": (
        "Ils ont refusé les e-mails : parcourez la documentation avec eux pendant cet appel (sur "
        "messagerie, résumez-la en une phrase et proposez de la parcourir quand ils rappelleront) "
        "; ne l'envoyez par écrit que s'ils acceptent à nouveau les e-mails."
    ),
    "material_at_meeting": (
        "Apportez les informations complémentaires que vous deviez envoyer avant le rendez-vous, "
        "et parcourez-les ensemble : le rendez-vous n'en sera que plus productif (R15)."
    ),
    "log_meeting": (
        "Enregistrez-le : meeting_held, avec le prochain contact convenu et leur accord pour "
        "rester en contact, ou meeting_no_show."
    ),
    "moved_away": "L'heure convenue a changé (ils étaient absents) : prévenez-les.",
    "moved_legal_cap": (
        "L'heure convenue a changé (un plafond légal d'appels l'exclut) : prévenez-les."
    ),
    "moved_day_off": "L'heure convenue a changé (elle tombe un jour non ouvré) : prévenez-les.",
    "moved_outside_hours": (
        "L'heure convenue a changé (elle est hors des horaires que la politique et la loi "
        "permettent) : prévenez-les."
    ),
}
