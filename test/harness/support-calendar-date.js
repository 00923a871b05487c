// Pins the date the EKS support calendar is evaluated at for every app the tests create, so the
// suite's verdicts (warnings, errors, upgrade policy) do not change as time passes. Tests that
// check other dates pass AiClusterProps.supportCalendarDate. Bump it with the calendar's facts.
'use strict';
const context = JSON.parse(process.env.CDKTF_CONTEXT_JSON || '{}');
context['ai-platform:support-calendar-date'] = '2026-12-07';
process.env.CDKTF_CONTEXT_JSON = JSON.stringify(context);
