// A title for a new chat, generated after its first reply by the same model, or its first words when that fails.
import { generateText, type LanguageModel } from 'ai';

const TITLE_TIMEOUT_MS = 15_000;

export function fallbackTitle(text: string): string {
  const words = text.trim().split(/\s+/).slice(0, 6).join(' ');
  const title = words.length > 60 ? `${words.slice(0, 59)}…` : words;
  return title || 'New chat';
}

export async function generateTitle(model: LanguageModel, firstMessage: string): Promise<string> {
  try {
    const { text } = await generateText({
      model,
      system: 'You name conversations. Answer with a title of at most six words, no quotes, no final period.',
      prompt: `Name the conversation that starts with this message:\n\n${firstMessage.slice(0, 2_000)}`,
      maxOutputTokens: 24,
      maxRetries: 0,
      abortSignal: AbortSignal.timeout(TITLE_TIMEOUT_MS),
    });
    const title = text
      .trim()
      .replace(/^["'«]+|["'».]+$/g, '')
      .trim();
    return title && title.length <= 80 ? title : fallbackTitle(firstMessage);
  } catch {
    return fallbackTitle(firstMessage);
  }
}
