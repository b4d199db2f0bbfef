"""Performance per segment: metrics over the segment's (contact, campaign) pairs, their intervals,
comparisons of segments, trends by week or month, and charts. Knows nothing of Slack."""
