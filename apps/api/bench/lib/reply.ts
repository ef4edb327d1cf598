// The text the fake provider streams, one chunk per word: known in advance, so a client can check it got every
// delta, in order.
export const replyText = (words: number) => Array.from({ length: words }, (_, i) => `w${i} `).join('');
