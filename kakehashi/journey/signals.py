from django.dispatch import Signal

# Sent inside the transaction that moved a lead (kwargs: lead, journey_id, stage, from_stage,
# at, actor, reason; stage and from_stage are rules.StageSpec, from_stage may be None). The
# hand-off listens here: entering a hand-off stage routes the lead to sales.
stage_entered = Signal()
