from django.dispatch import Signal

# Sent inside the transaction that recorded the activity (kwargs: activity). Scoring, journey
# rules and workflows listen here, so they see every activity the moment it lands.
activity_recorded = Signal()
