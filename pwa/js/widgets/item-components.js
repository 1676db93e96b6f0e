// Which component draws which item type: one file per type under items/.
import { citizenFeedback } from './items/citizen_feedback.js';
import { date } from './items/date.js';
import { duration } from './items/duration.js';
import { fileSample } from './items/file_sample.js';
import { gps } from './items/gps.js';
import { multiChoice } from './items/multi_choice.js';
import { number } from './items/number.js';
import { photo } from './items/photo.js';
import { rating } from './items/rating.js';
import { signature } from './items/signature.js';
import { singleChoice } from './items/single_choice.js';
import { text } from './items/text.js';
import { time } from './items/time.js';
import { yesNo } from './items/yes_no.js';

export const ITEM_COMPONENTS = Object.freeze({
  yes_no: yesNo,
  single_choice: singleChoice,
  multi_choice: multiChoice,
  rating,
  number,
  duration,
  date,
  time,
  text,
  photo,
  gps,
  signature,
  file_sample: fileSample,
  citizen_feedback: citizenFeedback,
});
