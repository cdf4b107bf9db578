-- The seed's migration guide SQL, corrected: PostgreSQL has no
-- ADD CONSTRAINT IF NOT EXISTS, and the tables are new here, so plain ADD CONSTRAINT.

-- Add privacy settings to User table
ALTER TABLE "User" ADD COLUMN IF NOT EXISTS "showOnlineStatus" BOOLEAN NOT NULL DEFAULT true;
ALTER TABLE "User" ADD COLUMN IF NOT EXISTS "showProfilePhoto" BOOLEAN NOT NULL DEFAULT true;
ALTER TABLE "User" ADD COLUMN IF NOT EXISTS "showLastSeen" BOOLEAN NOT NULL DEFAULT true;

-- Add secret flag to Chat table
ALTER TABLE "Chat" ADD COLUMN IF NOT EXISTS "isSecret" BOOLEAN NOT NULL DEFAULT false;

-- Add new fields to Message table
ALTER TABLE "Message" ADD COLUMN IF NOT EXISTS "isSilent" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "Message" ADD COLUMN IF NOT EXISTS "mentions" TEXT[] DEFAULT '{}';
ALTER TABLE "Message" ADD COLUMN IF NOT EXISTS "hashtags" TEXT[] DEFAULT '{}';

-- Create BlockedUser table
CREATE TABLE IF NOT EXISTS "BlockedUser" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "blockedId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BlockedUser_pkey" PRIMARY KEY ("id")
);

-- Create ChatSettings table
CREATE TABLE IF NOT EXISTS "ChatSettings" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "isMuted" BOOLEAN NOT NULL DEFAULT false,
    "isFavorite" BOOLEAN NOT NULL DEFAULT false,
    "folderId" TEXT,
    "unreadCount" INTEGER NOT NULL DEFAULT 0,
    "lastReadMessageId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ChatSettings_pkey" PRIMARY KEY ("id")
);

-- Create Folder table
CREATE TABLE IF NOT EXISTS "Folder" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "color" TEXT,
    "icon" TEXT,
    "order" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Folder_pkey" PRIMARY KEY ("id")
);

-- Create PinnedMessage table
CREATE TABLE IF NOT EXISTS "PinnedMessage" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "pinnedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PinnedMessage_pkey" PRIMARY KEY ("id")
);

-- Create unique constraints
ALTER TABLE "BlockedUser" ADD CONSTRAINT "BlockedUser_userId_blockedId_key" UNIQUE ("userId", "blockedId");
ALTER TABLE "ChatSettings" ADD CONSTRAINT "ChatSettings_userId_chatId_key" UNIQUE ("userId", "chatId");
ALTER TABLE "PinnedMessage" ADD CONSTRAINT "PinnedMessage_userId_messageId_chatId_key" UNIQUE ("userId", "messageId", "chatId");

-- Create indexes
CREATE INDEX IF NOT EXISTS "BlockedUser_userId_idx" ON "BlockedUser"("userId");
CREATE INDEX IF NOT EXISTS "BlockedUser_blockedId_idx" ON "BlockedUser"("blockedId");

CREATE INDEX IF NOT EXISTS "ChatSettings_userId_idx" ON "ChatSettings"("userId");
CREATE INDEX IF NOT EXISTS "ChatSettings_chatId_idx" ON "ChatSettings"("chatId");
CREATE INDEX IF NOT EXISTS "ChatSettings_folderId_idx" ON "ChatSettings"("folderId");
CREATE INDEX IF NOT EXISTS "ChatSettings_isFavorite_idx" ON "ChatSettings"("isFavorite");

CREATE INDEX IF NOT EXISTS "Folder_userId_idx" ON "Folder"("userId");
CREATE INDEX IF NOT EXISTS "Folder_order_idx" ON "Folder"("order");

CREATE INDEX IF NOT EXISTS "PinnedMessage_userId_idx" ON "PinnedMessage"("userId");
CREATE INDEX IF NOT EXISTS "PinnedMessage_messageId_idx" ON "PinnedMessage"("messageId");
CREATE INDEX IF NOT EXISTS "PinnedMessage_chatId_idx" ON "PinnedMessage"("chatId");

CREATE INDEX IF NOT EXISTS "Message_mentions_idx" ON "Message"("mentions");
CREATE INDEX IF NOT EXISTS "Message_hashtags_idx" ON "Message"("hashtags");
CREATE INDEX IF NOT EXISTS "Chat_isSecret_idx" ON "Chat"("isSecret");

-- Add foreign key constraints
ALTER TABLE "BlockedUser" 
    ADD CONSTRAINT "BlockedUser_userId_fkey" 
    FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "BlockedUser" 
    ADD CONSTRAINT "BlockedUser_blockedId_fkey" 
    FOREIGN KEY ("blockedId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "ChatSettings" 
    ADD CONSTRAINT "ChatSettings_userId_fkey" 
    FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "ChatSettings" 
    ADD CONSTRAINT "ChatSettings_chatId_fkey" 
    FOREIGN KEY ("chatId") REFERENCES "Chat"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "ChatSettings" 
    ADD CONSTRAINT "ChatSettings_folderId_fkey" 
    FOREIGN KEY ("folderId") REFERENCES "Folder"("id") ON DELETE SET NULL ON UPDATE CASCADE;

ALTER TABLE "Folder" 
    ADD CONSTRAINT "Folder_userId_fkey" 
    FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "PinnedMessage" 
    ADD CONSTRAINT "PinnedMessage_userId_fkey" 
    FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "PinnedMessage" 
    ADD CONSTRAINT "PinnedMessage_messageId_fkey" 
    FOREIGN KEY ("messageId") REFERENCES "Message"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "PinnedMessage" 
    ADD CONSTRAINT "PinnedMessage_chatId_fkey" 
    FOREIGN KEY ("chatId") REFERENCES "Chat"("id") ON DELETE CASCADE ON UPDATE CASCADE;
