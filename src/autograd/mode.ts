/** Whether operations are recorded for reverse mode (like torch.no_grad / enable_grad). */

let gradEnabled = true;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs fn without recording operations (evaluation, optimizer updates). */
export function noGrad<T>(fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/** Runs fn with recording switched on, even inside noGrad. */
export function enableGrad<T>(fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = true;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

let tangentsSuspended = false;

/** Whether ops propagate forward-mode tangents (off while a forward rule itself runs). */
export function tangentsActive(): boolean {
  return !tangentsSuspended;
}

/** Runs fn with tangent propagation off (forward-mode rules call ops on primals that carry tangents). */
export function withoutTangents<T>(fn: () => T): T {
  const previous = tangentsSuspended;
  tangentsSuspended = true;
  try {
    return fn();
  } finally {
    tangentsSuspended = previous;
  }
}
