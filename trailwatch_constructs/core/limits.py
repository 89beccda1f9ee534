"""CloudWatch's limits on what trailwatch creates, in one place (filter patterns have their own in
``filter_pattern/limits.py``).

Sources: PutMetricAlarm API reference (AlarmName 1-255, AlarmDescription 0-1024, Namespace 1-255,
MetricName 1-255), CreateLogGroup API reference (logGroupName 1-512) and PutMetricFilter API reference
("The maximum number of metric filters that can be associated with a log group is 100.").
"""

from __future__ import annotations

from typing import Final

MAX_ALARM_NAME_LENGTH: Final = 255
MAX_ALARM_DESCRIPTION_LENGTH: Final = 1024
MAX_METRIC_NAMESPACE_LENGTH: Final = 255
MAX_METRIC_NAME_LENGTH: Final = 255
MAX_LOG_GROUP_NAME_LENGTH: Final = 512
MAX_METRIC_FILTERS_PER_LOG_GROUP: Final = 100
