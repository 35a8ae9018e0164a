"""The CRM hub: amoCRM and Bitrix24 connections, the push of partnerships as deals, and the pull of their fate."""
