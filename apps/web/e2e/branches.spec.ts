import { expect, replies, sendAndWait, signUp, test, userMessages } from './fixtures.ts'

test('an edited message and the version shown survive a reload; a middle reply can be regenerated', async ({
  page,
  account,
}) => {
  await signUp(page, account)
  await sendAndWait(page, 'Plan three days in Rome')
  await sendAndWait(page, 'What about food?')

  const second = userMessages(page).nth(1)
  await second.hover()
  await second.getByRole('button', { name: 'Edit message' }).click()
  await second.getByRole('textbox', { name: 'Edit message' }).fill('What about museums?')
  await second.getByRole('button', { name: 'Send' }).click()
  await expect(replies(page).last()).toContainText('You said: What about museums?')
  await expect(replies(page).last()).toHaveAttribute('data-status', 'complete')
  await expect(userMessages(page)).toHaveCount(2)
  await expect(userMessages(page).nth(1)).toContainText('Version 2 of 2')

  await page.reload()
  await expect(userMessages(page).nth(1)).toContainText('What about museums?')
  await userMessages(page).nth(1).getByRole('button', { name: 'Previous version' }).click()
  await expect(userMessages(page).nth(1)).toContainText('What about food?')
  await expect(userMessages(page).nth(1)).toContainText('Version 1 of 2')
  await expect(replies(page).last()).toContainText('You said: What about food?')

  await page.reload()
  await expect(userMessages(page).nth(1)).toContainText('What about food?')
  await expect(replies(page).last()).toContainText('You said: What about food?')

  await replies(page).first().getByRole('button', { name: 'Regenerate' }).click()
  await expect(replies(page)).toHaveCount(1)
  await expect(replies(page).first()).toHaveAttribute('data-status', 'complete')
  await expect(replies(page).first()).toContainText('Version 2 of 2')
  await expect(userMessages(page)).toHaveCount(1)

  await page.reload()
  await expect(replies(page)).toHaveCount(1)
  await replies(page).first().getByRole('button', { name: 'Previous version' }).click()
  // The old branch opens down to its newest reply: the edited question's.
  await expect(replies(page)).toHaveCount(2)
  await expect(userMessages(page).nth(1)).toContainText('What about museums?')
})
