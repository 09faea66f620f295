import { ExpressionError } from './errors.js';
import { describeType } from './runtime.js';

/** `$date(value?)`: an ISO string, epoch milliseconds or a date; none means now. */
export function toDate(args: readonly unknown[]): Date {
  if (args.length === 0 || args[0] === undefined) return new Date();
  const value = args[0];
  let date: Date;
  if (value instanceof Date) date = new Date(value.getTime());
  else if (typeof value === 'number' || typeof value === 'string') date = new Date(value);
  else throw new ExpressionError(`$date() takes an ISO date string, epoch milliseconds or a date, not ${describeType(value)}`);
  if (Number.isNaN(date.getTime())) throw new ExpressionError('$date(): the value is not a valid date');
  return date;
}

interface DateParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  offsetMinutes: number;
}

const MAX_CACHED_ZONES = 64;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch (err) {
      throw new ExpressionError('$formatDate(): unknown time zone', { cause: err });
    }
    if (formatters.size >= MAX_CACHED_ZONES) formatters.clear();
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function partsIn(date: Date, timeZone: string): DateParts {
  const time = date.getTime();
  const millisecond = ((time % 1000) + 1000) % 1000;
  if (timeZone === 'UTC' || timeZone === 'Z') {
    return {
      year: date.getUTCFullYear(),
      month: date.getUTCMonth() + 1,
      day: date.getUTCDate(),
      hour: date.getUTCHours(),
      minute: date.getUTCMinutes(),
      second: date.getUTCSeconds(),
      millisecond,
      offsetMinutes: 0,
    };
  }
  const fields: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(date)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const parts = {
    year: fields.year ?? 0,
    month: fields.month ?? 1,
    day: fields.day ?? 1,
    hour: fields.hour ?? 0,
    minute: fields.minute ?? 0,
    second: fields.second ?? 0,
    millisecond,
    offsetMinutes: 0,
  };
  const wallClockAsUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second, millisecond);
  parts.offsetMinutes = Math.round((wallClockAsUtc - time) / 60_000);
  return parts;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function offsetText(minutes: number): string {
  if (minutes === 0) return 'Z';
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

const TOKENS = /\[([^\]]*)\]|YYYY|YY|MM|DD|HH|mm|ss|SSS|Z/g;
export const DEFAULT_DATE_PATTERN = 'YYYY-MM-DDTHH:mm:ss.SSSZ';

/**
 * `$formatDate(value, pattern?, timeZone?)`. Tokens: YYYY YY MM DD HH mm ss
 * SSS Z (offset, `Z` for UTC); text in `[brackets]` is kept as is.
 */
export function formatDate(date: Date, pattern: string, timeZone: string): string {
  const p = partsIn(date, timeZone);
  return pattern.replace(TOKENS, (token: string, literal: string | undefined) => {
    if (literal !== undefined) return literal;
    switch (token) {
      case 'YYYY':
        return pad(p.year, 4);
      case 'YY':
        return pad(p.year % 100);
      case 'MM':
        return pad(p.month);
      case 'DD':
        return pad(p.day);
      case 'HH':
        return pad(p.hour);
      case 'mm':
        return pad(p.minute);
      case 'ss':
        return pad(p.second);
      case 'SSS':
        return pad(p.millisecond, 3);
      default:
        return offsetText(p.offsetMinutes);
    }
  });
}
