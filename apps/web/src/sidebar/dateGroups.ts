// Chats grouped by when they were last active, as chat apps do: Today, Yesterday, Previous 7 days, Previous 30
// days, then by month. The input is newest first and so is each group.
export interface Dated {
  updatedAt: Date;
}

export function groupByDate<T extends Dated>(items: T[], now = new Date()): { label: string; items: T[] }[] {
  const startOfToday = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  const day = 86_400_000;
  const groups: { label: string; items: T[] }[] = [];
  for (const item of items) {
    const t = item.updatedAt.getTime();
    let label: string;
    if (t >= startOfToday) label = 'Today';
    else if (t >= startOfToday - day) label = 'Yesterday';
    else if (t >= startOfToday - 7 * day) label = 'Previous 7 days';
    else if (t >= startOfToday - 30 * day) label = 'Previous 30 days';
    else
      label = item.updatedAt.toLocaleDateString(undefined, {
        month: 'long',
        year: item.updatedAt.getFullYear() === now.getFullYear() ? undefined : 'numeric',
      });
    const last = groups.at(-1);
    if (last?.label === label) last.items.push(item);
    else groups.push({ label, items: [item] });
  }
  return groups;
}
